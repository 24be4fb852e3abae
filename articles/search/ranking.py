"""Searching: a queryset narrowed to a query's hits with their rank, and the relevance order."""

from __future__ import annotations

from django.contrib.postgres.search import SearchRank
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import F, FloatField, Value
from django.db.models.functions import Cast

from . import counts
from .postgres import _PkAmong, _TsQueryLiteral
from .query import fts_match_text, parse_query, tsquery_text
from .sqlite import _Fts5Match, _Fts5Rank, _require_fts_table

# Cast, not a bare constant: PostgreSQL refuses ORDER BY 0.0 ("non-integer constant in ORDER BY").
_NO_RANK = Cast(Value(0.0), FloatField())


def search_articles(queryset, raw_query: str):
    """Narrow `queryset` to the articles matching the query, annotated with `search_rank` (higher is better)."""
    query = parse_query(raw_query)
    if not query:
        return queryset.annotate(search_rank=_NO_RANK)
    if connection.vendor == "postgresql":
        text = tsquery_text(query)
        tsquery = _TsQueryLiteral(text)
        found = queryset.filter(search_vector=tsquery).annotate(search_rank=SearchRank(F("search_vector"), tsquery))
    elif connection.vendor == "sqlite":
        _require_fts_table()
        text = fts_match_text(query)
        found = queryset.filter(_Fts5Match(F("pk"), Value(text))).annotate(search_rank=_Fts5Rank(Value(text), F("pk")))
    else:
        raise ImproperlyConfigured(f"Full-text search supports PostgreSQL and SQLite, not {connection.vendor}.")
    # Later filters, orderings and slices copy the query and this mark with it (see order_by_relevance).
    found.query.newsroom_search = text
    return found


def order_by_relevance(queryset):
    """Best match first; among equals the most recently published, then the newest row.

    On PostgreSQL a search's hits are first cut down to its RELEVANCE_CANDIDATES most recently published ones,
    which alone are ranked (docs/search.md, "Relevance and counts at archive scale"); count_matches tells how
    many hits there are in all. So call it last, once every filter is applied (as ArticleFilter does).
    """
    if "search_rank" not in queryset.query.annotations:
        queryset = queryset.annotate(search_rank=_NO_RANK)
    if connection.vendor == "postgresql" and getattr(queryset.query, "newsroom_search", None):
        ids, count = counts._newest_matches(queryset, counts.RELEVANCE_CANDIDATES)
        queryset = queryset.filter(_PkAmong(F("pk"), ids=ids))
        queryset.query.newsroom_count = count
    return queryset.order_by(F("search_rank").desc(), F("published_at").desc(nulls_last=True), "-pk")


# --- counting and ranking at archive scale (PostgreSQL) ------------------------------------------------------

# Ranking needs each hit's tsvector (about 7 kB, out of line) and ts_rank over it: cheap for a few hundred hits,
