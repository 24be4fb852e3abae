"""Kept facet counts of subject pages (PostgreSQL): counted once, kept until an article of the subject changes."""

# A reporter, organisation or tag page counts the tags, people and organisations of the subject's newest
# FACET_SCOPE articles: ten thousand listing rows and more for a common subject, the largest part of the page's
# work. They change only when an article of the subject does, which the listing's triggers mark (migration 0019);
# docs/site.md, "Kept facets".

from __future__ import annotations

import datetime
import logging

from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from . import filters
from .locks import WRITES_LOCK
from .models import SubjectFacets, SubjectFacetsChange, SubjectListing

logger = logging.getLogger(__name__)


def counted(kind: str, subject_id: int, now=None) -> tuple[list, list]:
    """(ranking rows, month rows) of the subject's newest FACET_SCOPE articles published by `now`, counted."""
    newest = SubjectListing.published(kind, subject_id, now).order_by("-published_at", "-article_id")
    rows = list(newest[: filters.FACET_SCOPE].values_list("article_id", "issue_date"))
    ranking = [tuple(row) for row in filters.subject_ranking([article for article, _ in rows])] if rows else []
    return ranking, filters.months_of(date for _, date in rows)


def kept(kind: str, subject_id: int, now) -> tuple[list, list] | None:
    """The kept (ranking rows, month rows) of the subject, unless a change marked them or `now` is past them."""
    marked = SubjectFacetsChange.objects.filter(kind=OuterRef("kind"), subject_id=OuterRef("subject_id"))
    row = (
        SubjectFacets.objects.filter(kind=kind, subject_id=subject_id)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .exclude(Exists(marked))
        .values_list("ranking", "months")[:1]
    )
    for ranking, months in row:
        return (
            [tuple(entry) for entry in ranking],
            [{"month": datetime.date.fromisoformat(month), "article_count": count} for month, count in months],
        )
    return None


def record(kind: str, subject_id: int) -> tuple[list, list] | None:
    """Count the subject's facets and keep them; None while a write is under way or the database is read-only
    (counted() then serves)."""
    # Inside a caller's transaction (the tests', an atomic block) the lock and the setting would last to its end.
    own_transaction = not connection.in_atomic_block
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_try_advisory_xact_lock(%s), current_setting('transaction_read_only') = 'off'",
                    [WRITES_LOCK],
                )
                if not all(cursor.fetchone()):
                    return None
                if own_transaction:
                    # Derived rows, counted again when lost: the page need not wait for the disk.
                    # https://www.postgresql.org/docs/15/wal-async-commit.html
                    cursor.execute("SET LOCAL synchronous_commit = off")
            now = timezone.now()
            ranking, months = counted(kind, subject_id, now)
            if ranking:  # a subject with no published article has no page to keep facets for
                _keep(kind, subject_id, ranking, months, now)
    except DatabaseError as error:
        # Keeping is a saving for later pages, never a reason for this one to fail (a statement timeout).
        logger.warning("facets of %s %s not kept: %s", kind, subject_id, error)
        return None
    return ranking, months


def _keep(kind: str, subject_id: int, ranking: list, months: list, now) -> None:
    # A scheduled article of the subject joins its newest articles at its publication time.
    scheduled = SubjectListing.objects.filter(kind=kind, subject_id=subject_id, published_at__gt=now)
    expires_at = scheduled.order_by("published_at").values_list("published_at", flat=True).first()
    SubjectFacetsChange.objects.filter(kind=kind, subject_id=subject_id).delete()  # the counts hold them now
    SubjectFacets.objects.bulk_create(
        [
            SubjectFacets(
                kind=kind,
                subject_id=subject_id,
                ranking=[list(row) for row in ranking],
                months=[[row["month"].isoformat(), row["article_count"]] for row in months],
                expires_at=expires_at,
            )
        ],
        update_conflicts=True,
        unique_fields=["kind", "subject_id"],
        update_fields=["ranking", "months", "expires_at", "recorded_at"],
    )


def facet_counts(kind: str, subject_id: int, facets) -> tuple[dict, list]:
    """What the facets of a subject's page show, as filters.facet_counts: kept, else counted (and kept if it can)."""
    now = timezone.now()
    found = None
    if connection.vendor == "postgresql":
        found = kept(kind, subject_id, now) or record(kind, subject_id)
    ranking, months = found or counted(kind, subject_id, now)
    return filters.named_counts(ranking, facets=facets), months


def drop_stale() -> None:
    """Remove the kept facets that changes marked, and the marks: after an import, which marks many."""
    if connection.vendor != "postgresql":
        return
    facets, changes = SubjectFacets._meta.db_table, SubjectFacetsChange._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH marked AS (DELETE FROM {changes} RETURNING kind, subject_id) "
            f"DELETE FROM {facets} AS stale USING marked "
            "WHERE stale.kind = marked.kind AND stale.subject_id = marked.subject_id"
        )
