"""Editorial operations that touch several tables and must land whole: review, publishing and merging."""

from collections.abc import Iterable

import reversion
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .cache import invalidate_articles
from .models import Article, Byline, Organisation, OrganisationAlias, Reporter, ReporterAlias
from .search import schedule_reindex


class MergeError(ValueError):
    """A merge request that cannot be carried out (nothing to merge, or the survivor among the losers)."""


def publish(articles: QuerySet) -> list[Article]:
    """Publish drafts and submitted articles now; articles already scheduled keep their time."""
    # Whole seconds: the admin shows and reads times to the second, so an unchanged save keeps them exactly.
    now = timezone.now().replace(microsecond=0)
    done = []
    with transaction.atomic():
        for article in _locked(articles):
            article.status = Article.Status.PUBLISHED
            article.published_at = article.published_at or now
            article.review_comment = ""
            article.edited_by_hand = True  # imports never override an editor's decision (importers.py)
            article.save(update_fields=["status", "published_at", "review_comment", "edited_by_hand", "updated_at"])
            done.append(article)
    return done


def unpublish(articles: QuerySet) -> list[Article]:
    """Return articles to draft; they vanish from every public page at once."""
    return _move(articles, Article.Status.DRAFT)


def submit(articles: QuerySet) -> list[Article]:
    """Drafts go to the chief editors' queue (待审); other articles are left as they are."""
    return _move(articles.filter(status=Article.Status.DRAFT), Article.Status.SUBMITTED)


def return_to_draft(articles: QuerySet, comment: str) -> list[Article]:
    """Submitted articles go back to their editors as drafts, with the chief editor's comment."""
    return _move(articles.filter(status=Article.Status.SUBMITTED), Article.Status.DRAFT, review_comment=comment)


def _locked(articles: QuerySet) -> QuerySet:
    # The admin's queryset may be DISTINCT (search), which PostgreSQL refuses to lock; its ids are enough.
    return Article.objects.filter(pk__in=articles.values("pk")).select_for_update().order_by("pk")


def _move(articles: QuerySet, status: str, **values) -> list[Article]:
    with transaction.atomic():
        moved = list(_locked(articles))
        Article.objects.filter(pk__in=[article.pk for article in moved]).update(
            status=status, edited_by_hand=True, updated_at=timezone.now(), **values
        )
    ids = [article.pk for article in moved]
    invalidate_articles(ids)  # update() sends no signals
    return list(Article.objects.filter(pk__in=ids))


def _others(keep, others: Iterable) -> list:
    others = [other for other in others if other.pk != keep.pk]
    if not others:
        raise MergeError("请至少选择两条记录，并指定保留哪一条。")
    return others


def _snapshot_before_merge(keep, others: list, user) -> None:
    """One revision of the records as they are before the merge: reverting it undoes the merge."""
    names = "、".join(str(other) for other in others)
    # Recorded by hand and closed before the merge starts, so the rows the merge moves are kept as they were.
    with reversion.create_revision(manage_manually=True):
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(f"合并{keep._meta.verbose_name}：{names} → {keep}（合并前的状态；恢复此版本即撤销合并）")
        for record in [keep, *others]:
            reversion.add_to_revision(record)
        # What the merge moves away from the others, as it is now: a revert puts each row back where it was.
        for other in others:
            for moved in other.bylines.all() if isinstance(other, Reporter) else other.article_links.all():
                reversion.add_to_revision(moved)


@transaction.atomic
def merge_reporters(keep: Reporter, others: Iterable[Reporter], *, user=None) -> dict:
    """Move every byline and alias of `others` to `keep`, remember their names as aliases, delete them."""
    others = _others(keep, others)
    _snapshot_before_merge(keep, others, user)
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
def merge_organisations(keep: Organisation, others: Iterable[Organisation], *, user=None) -> dict:
    """Move every article link, alias and child of `others` to `keep`, keep their names as aliases, delete them."""
    others = _others(keep, others)
    _snapshot_before_merge(keep, others, user)
    other_pks = {other.pk for other in others}
    if keep.parent_id in other_pks:
        # The survivor cannot sit under a record that is about to disappear.
        keep.parent = None
        keep.save(update_fields=["parent"])
    links = 0
    through = Article.organisations.through
    for other in others:
        article_ids = set(through.objects.filter(organisation=other).values_list("article_id", flat=True))
        already = through.objects.filter(organisation=keep).values("article_id")
        # The link rows move (a revert of the merge puts them back); where the survivor is linked already, the
        # other's row goes.
        through.objects.filter(organisation=other, article_id__in=already).delete()
        through.objects.filter(organisation=other).update(organisation=keep)
        # update() and delete() send no m2m_changed, so the index and the page cache are told here.
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
