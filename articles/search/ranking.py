"""Searching: a queryset narrowed to a query's hits with their rank, and the relevance order."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import F, FloatField, Value
from django.db.models.functions import Cast

from . import counts, postgres, sqlite
from .counts import SearchCount
from .query import newest_first, parse_query

# Cast, not a bare constant: PostgreSQL refuses ORDER BY 0.0 ("non-integer constant in ORDER BY").
_NO_RANK = Cast(Value(0.0), FloatField())
# A relevance-ordered search on PostgreSQL pages through this many best-ranked hits (10 pages of 20).
RELEVANCE_DEPTH = 200


def search_articles(queryset, raw_query: str):
    """Narrow `queryset` to the articles matching the query, annotated with `search_rank` (higher is better)."""
    query = parse_query(raw_query)
    if not query:
        return queryset.annotate(search_rank=_NO_RANK)
    if connection.vendor == "postgresql":
        found = postgres.search(queryset, query)
    elif connection.vendor == "sqlite":
        found = sqlite.search(queryset, query)
    else:
        raise ImproperlyConfigured(f"Full-text search supports PostgreSQL and SQLite, not {connection.vendor}.")
    # Later filters, orderings and slices copy the query and this mark with it (see order_by_relevance).
    found.query.newsroom_search = query
    return found


def order_by_relevance(queryset, *, rows: int | None = None):
    """Best match first (search_rank); among equals the most recently published, then the newest row.

    Every hit is ranked. On PostgreSQL the best are found first, reading only the best tiers of hits
    (docs/search.md, "Ranking every hit"), and the ordered queryset holds those: the first `rows` (the end of the
    page asked for), at most RELEVANCE_DEPTH; count_matches still counts every hit, and pages go as deep as
    RELEVANCE_DEPTH. So call it last, once every filter is applied (as ArticleFilter does).
    """
    if "search_rank" not in queryset.query.annotations:
        queryset = queryset.annotate(search_rank=_NO_RANK)
    query = getattr(queryset.query, "newsroom_search", None)
    if connection.vendor == "postgresql" and query:
        # Counted through the GIN bitmap (see bitmap_scans); the tiers are left to the planner: an index walk
        # that stops when the page is full is what a frequent word needs.
        count = counts.count_search_hits(queryset, query)
        wanted = min(rows or RELEVANCE_DEPTH, RELEVANCE_DEPTH)
        ids = postgres.best_ids(queryset, query, wanted)
        # The best hits by id alone: they are hits already, and testing the match again reads each one's big
        # vector. The rank (headline and label columns only) is still computed for the order.
        queryset = postgres.among(queryset, ids)
        # Fewer than wanted: those are all the hits. Else every hit can be ranked, down to RELEVANCE_DEPTH.
        pageable = len(ids) if len(ids) < wanted else min(count.total, RELEVANCE_DEPTH)
        queryset.query.newsroom_count = SearchCount(count.total, count.estimated, pageable)
    return queryset.order_by(F("search_rank").desc(), *newest_first())
