"""Search-index triggers: a change an article's index entry depends on queues it for reindexing on commit."""

# articles.search flushes the queue once per transaction (see docs/search.md). A rename or an alias change can
# touch most of the archive (北京市总工会), so those go to a background task (articles.tasks) instead.

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from taggit.models import Tag, TaggedItem

from .models import Article, Byline, Image, Organisation, OrganisationAlias, Reporter
from .search import forget_user_terms, schedule_reindex, updates_deferred
from .tasks import enqueue_on_commit, make_image_renditions, reindex_named

# The article fields the index reads; a save that touches none of them (publishing) changes nothing.
INDEXED_FIELDS = frozenset({"title", "kicker", "subtitle", "dateline", "body"})


def _article_ids_of_reporter(reporter_id):
    return Byline.objects.filter(reporter_id=reporter_id).values_list("article_id", flat=True)


def _article_ids_of_organisation(organisation_id):
    return Article.organisations.through.objects.filter(organisation_id=organisation_id).values_list(
        "article_id", flat=True
    )


def _article_ids_of_tag(tag_id):
    return TaggedItem.objects.filter(
        tag_id=tag_id, content_type=ContentType.objects.get_for_model(Article)
    ).values_list("object_id", flat=True)


def _reindex_named_later(model: str, pk, article_ids) -> None:
    """Reindex the articles naming this record in a task; inside an import, with the import's own batch."""
    if updates_deferred():
        schedule_reindex(article_ids(pk))
    else:
        enqueue_on_commit(reindex_named, model, pk)


def _old_values(model, instance, fields):
    """The row as stored before this save, or None for a new row."""
    if instance.pk is None or instance._state.adding:
        return None
    return model.objects.filter(pk=instance.pk).values(*fields).first()


@receiver(post_save, sender=Article)
def article_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and not INDEXED_FIELDS.intersection(update_fields):
        return
    schedule_reindex([instance.pk])


@receiver(post_delete, sender=Article)
def article_deleted(sender, instance, **kwargs):
    schedule_reindex([instance.pk])


@receiver(pre_save, sender=Byline)
def byline_saving(sender, instance, **kwargs):
    # A byline moved to another article changes that article's entry too.
    old = _old_values(Byline, instance, ["article_id"])
    instance._search_old_article_id = old["article_id"] if old else None


@receiver(post_save, sender=Byline)
def byline_saved(sender, instance, **kwargs):
    schedule_reindex([instance.article_id, getattr(instance, "_search_old_article_id", None)])


@receiver(post_delete, sender=Byline)
def byline_deleted(sender, instance, **kwargs):
    schedule_reindex([instance.article_id])


def _m2m_article_ids(instance, action, reverse, pk_set):
    """Articles whose relation changed, for the actions after which the index must follow."""
    if not reverse:
        return [instance.pk] if action in {"post_add", "post_remove", "post_clear"} else []
    if action in {"post_add", "post_remove"}:
        return pk_set or []
    # After a reverse clear the links are gone; collect them while they still exist.
    if action == "pre_clear":
        return list(instance.articles.values_list("pk", flat=True))
    return []


@receiver(m2m_changed, sender=Article.organisations.through)
def organisations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    schedule_reindex(_m2m_article_ids(instance, action, reverse, pk_set))


@receiver(m2m_changed, sender=Article.reporters.through)
def reporters_changed(sender, instance, action, reverse, pk_set, **kwargs):
    # Article.reporters.add() writes Byline rows with bulk_create, which sends no post_save.
    if reverse:
        ids = pk_set if action in {"post_add", "post_remove"} else []
        if action == "pre_clear":
            ids = list(_article_ids_of_reporter(instance.pk))
    else:
        ids = [instance.pk] if action in {"post_add", "post_remove", "post_clear"} else []
    schedule_reindex(ids or [])


@receiver(m2m_changed, sender=Article.tags.through)
def tags_changed(sender, instance, action, **kwargs):
    # taggit sends these from add/remove/set/clear with the article as the instance.
    if isinstance(instance, Article) and action in {"post_add", "post_remove", "post_clear"}:
        schedule_reindex([instance.pk])


@receiver(post_save, sender=Tag)
def tag_saved(sender, instance, created, **kwargs):
    if not created:
        schedule_reindex(_article_ids_of_tag(instance.pk))


@receiver(pre_delete, sender=Tag)
def tag_deleting(sender, instance, **kwargs):
    # The tagged items go by cascade without signals of their own.
    schedule_reindex(_article_ids_of_tag(instance.pk))


@receiver(pre_save, sender=Reporter)
def reporter_saving(sender, instance, **kwargs):
    old = _old_values(Reporter, instance, ["name"])
    instance._search_renamed = old is not None and old["name"] != instance.name


@receiver(post_save, sender=Reporter)
def reporter_saved(sender, instance, created, **kwargs):
    if getattr(instance, "_search_renamed", False):
        forget_user_terms()
        _reindex_named_later("reporter", instance.pk, _article_ids_of_reporter)


@receiver(pre_save, sender=Organisation)
def organisation_saving(sender, instance, **kwargs):
    old = _old_values(Organisation, instance, ["name"])
    instance._search_renamed = old is not None and old["name"] != instance.name


@receiver(post_save, sender=Organisation)
def organisation_saved(sender, instance, created, **kwargs):
    if getattr(instance, "_search_renamed", False):
        forget_user_terms()
        _reindex_named_later("organisation", instance.pk, _article_ids_of_organisation)


@receiver(pre_delete, sender=Organisation)
def organisation_deleting(sender, instance, **kwargs):
    # Its article links go by cascade without m2m_changed.
    schedule_reindex(_article_ids_of_organisation(instance.pk))


@receiver(pre_save, sender=OrganisationAlias)
def alias_saving(sender, instance, **kwargs):
    instance._search_old = _old_values(OrganisationAlias, instance, ["name", "organisation_id"])


@receiver(post_save, sender=OrganisationAlias)
def alias_saved(sender, instance, **kwargs):
    old = getattr(instance, "_search_old", None)
    if old is not None and (old["name"], old["organisation_id"]) == (instance.name, instance.organisation_id):
        return
    forget_user_terms()
    _reindex_named_later("organisation", instance.organisation_id, _article_ids_of_organisation)
    if old is not None and old["organisation_id"] != instance.organisation_id:
        _reindex_named_later("organisation", old["organisation_id"], _article_ids_of_organisation)


@receiver(post_delete, sender=OrganisationAlias)
def alias_deleted(sender, instance, **kwargs):
    schedule_reindex(_article_ids_of_organisation(instance.organisation_id))


@receiver(post_save, sender=Article.organisations.through)
def organisation_link_saved(sender, instance, **kwargs):
    # Link rows are saved one by one only when a revision is reverted (articles/revisions.py).
    schedule_reindex([instance.article_id])


# --- photos: renditions follow the file --------------------------------------------------------------------------


@receiver(pre_save, sender=Image)
def image_saving(sender, instance, update_fields=None, **kwargs):
    old = _old_values(Image, instance, ["file"])
    instance._file_changed = old is None or old["file"] != instance.file.name


@receiver(post_save, sender=Image)
def image_saved(sender, instance, update_fields=None, **kwargs):
    if getattr(instance, "_file_changed", False):
        enqueue_on_commit(make_image_renditions, instance.pk)


@receiver(post_delete, sender=Image)
def image_deleted(sender, instance, **kwargs):
    from .images import delete_files

    # Files are not transactional: remove them only once the row is surely gone.
    transaction.on_commit(lambda: delete_files(instance.file.name, [r["name"] for r in instance.renditions]))
