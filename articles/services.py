"""Editorial operations that touch several tables and must land whole: publishing and merging."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .cache import invalidate_articles
from .models import Article, Byline, Organisation, OrganisationAlias, Reporter, ReporterAlias
from .search import schedule_reindex


class MergeError(ValueError):
    """A merge request that cannot be carried out (nothing to merge, or the survivor among the losers)."""


def publish(articles: QuerySet) -> int:
    """Publish drafts now; articles already scheduled keep their time."""
    now = timezone.now()
    count = 0
    with transaction.atomic():
        for article in articles.select_for_update():
            article.status = Article.Status.PUBLISHED
            article.published_at = article.published_at or now
            article.save(update_fields=["status", "published_at", "updated_at"])
            count += 1
    return count


def unpublish(articles: QuerySet) -> int:
    """Return articles to draft; they vanish from every public page at once."""
    invalidate_articles(articles.values_list("pk", flat=True))  # update() sends no signals
    return articles.update(status=Article.Status.DRAFT, updated_at=timezone.now())


def _others(keep, others: Iterable) -> list:
    others = [other for other in others if other.pk != keep.pk]
    if not others:
        raise MergeError("请至少选择两条记录，并指定保留哪一条。")
    return others


@transaction.atomic
def merge_reporters(keep: Reporter, others: Iterable[Reporter]) -> dict:
    """Move every byline and alias of `others` to `keep`, remember their names as aliases, delete them."""
    others = _others(keep, others)
    moved = dropped = 0
    for other in others:
        for byline in Byline.objects.filter(reporter=other).select_for_update():
            duplicate = Byline.objects.filter(article_id=byline.article_id, reporter=keep, role=byline.role)
            if duplicate.exists():
                # The survivor already holds this credit in this role: the credit is kept, only the row goes.
                byline.delete()
                dropped += 1
            else:
                byline.reporter = keep
                byline.save(update_fields=["reporter"])
                moved += 1
        ReporterAlias.objects.filter(reporter=other).update(reporter=keep)
        if (other.name, other.affiliation) != (keep.name, keep.affiliation):
            ReporterAlias.objects.get_or_create(
                name=other.name, affiliation=other.affiliation, defaults={"reporter": keep}
            )
        other.delete()
    return {"bylines_moved": moved, "bylines_deduplicated": dropped, "merged": len(others)}


@transaction.atomic
def merge_organisations(keep: Organisation, others: Iterable[Organisation]) -> dict:
    """Move every article link, alias and child of `others` to `keep`, keep their names as aliases, delete them."""
    others = _others(keep, others)
    other_pks = {other.pk for other in others}
    if keep.parent_id in other_pks:
        # The survivor cannot sit under a record that is about to disappear.
        keep.parent = None
        keep.save(update_fields=["parent"])
    links = 0
    through = Article.organisations.through
    for other in others:
        article_ids = set(through.objects.filter(organisation=other).values_list("article_id", flat=True))
        already = set(
            through.objects.filter(organisation=keep, article_id__in=article_ids).values_list("article_id", flat=True)
        )
        through.objects.bulk_create(
            [through(article_id=article_id, organisation=keep) for article_id in sorted(article_ids - already)]
        )
        # bulk_create sends no m2m_changed, so the index and the page cache are told here.
        schedule_reindex(article_ids)
        invalidate_articles(article_ids)
        links += len(article_ids)
        OrganisationAlias.objects.filter(organisation=other).update(organisation=keep)
        Organisation.objects.filter(parent=other).exclude(pk=keep.pk).update(parent=keep)
        name = other.name
        other.delete()
        if name != keep.name:
            OrganisationAlias.objects.update_or_create(name=name, defaults={"organisation": keep})
    return {"links_moved": links, "merged": len(others)}
