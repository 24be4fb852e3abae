"""Counts: how many articles a list or search holds, exact up to EXACT_COUNT_LIMIT, and their paginator."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from math import ceil

from django.core.paginator import Paginator
from django.db import connection

# A list's or search's rows are counted exactly up to this many; beyond, the count is the planner's estimate,
# marked "约".
EXACT_COUNT_LIMIT = 10_000
# A plain search for one word that PostgreSQL's statistics put in this many published articles is past
# EXACT_COUNT_LIMIT beyond doubt, and is not counted. The estimate for a whole word is the share of the rows
# ANALYZE sampled (30,000 at the default statistics target) whose search_vector holds it, times the table's
# rows: for a word in 30,000 of 250,000 articles that share is 12 % give or take 0.4 %, so the estimate is
# not three times too high while the statistics are current (autovacuum re-analyzes after a tenth of the rows
# change). A word the statistics do not list is estimated low, and counted.
# https://www.postgresql.org/docs/15/planner-stats.html
SURELY_PAST_LIMIT = 3 * EXACT_COUNT_LIMIT


@dataclass(frozen=True)
class SearchCount:
    """How many articles a search found: exact, or estimated (`estimated`) beyond EXACT_COUNT_LIMIT."""

    total: int
    estimated: bool = False
    # How many of them the ordered queryset really holds, when that is fewer (the ranked best hits).
    pageable: int | None = None

    def __str__(self) -> str:
        return f"约 {self.total:,}" if self.estimated else f"{self.total:,}"


def _round_estimate(value: float) -> int:
    """Two significant digits: 198,432 -> 200,000, 11,130 -> 11,000."""
    value = int(round(value))
    if value < 100:
        return value
    scale = 10 ** (len(str(value)) - 2)
    return int(round(value / scale)) * scale


def count_hits(queryset) -> SearchCount:
    """How many rows a queryset has: exact up to EXACT_COUNT_LIMIT, the planner's estimate beyond."""
    # Counting stops at the first hit past the limit: a word in every article costs EXACT_COUNT_LIMIT rows,
    # not all of them (on PostgreSQL mostly from the GIN bitmap and the visibility map, no row read).
    if connection.vendor != "postgresql":
        return SearchCount(queryset.order_by().count())
    found = queryset.order_by()[: EXACT_COUNT_LIMIT + 1].count()
    if found <= EXACT_COUNT_LIMIT:
        return SearchCount(found)
    return _past_limit(queryset)


def _past_limit(queryset) -> SearchCount:
    from .postgres import estimated_rows

    return SearchCount(max(_round_estimate(estimated_rows(queryset)), EXACT_COUNT_LIMIT + 1), True)


def count_search_hits(queryset, query) -> SearchCount:
    """count_hits for the search `query` on PostgreSQL, read through GIN bitmaps; a plain search for a word in
    SURELY_PAST_LIMIT articles by the statistics is not counted."""
    # Counting to the limit builds the bitmap of every word that starts with the query's (北京 unions 北京市,
    # 北京队…), for a number shown as an estimate anyway; the estimate is planning alone.
    from .postgres import bitmap_scans, estimated_rows, is_plain_search, whole_words

    with bitmap_scans():
        one_word = len(query.terms) == 1 and not query.phrases
        if one_word and is_plain_search(queryset) and estimated_rows(whole_words(queryset, query)) >= SURELY_PAST_LIMIT:
            return _past_limit(queryset)
        return count_hits(queryset)


def count_matches(queryset) -> SearchCount:
    """How many articles `queryset` holds: on PostgreSQL exact up to EXACT_COUNT_LIMIT, else estimated."""
    count = getattr(queryset.query, "newsroom_count", None)
    if count is not None:  # a relevance order's best hits: counted with every hit, paged through the best
        return count
    query = getattr(queryset.query, "newsroom_search", None)
    if query and connection.vendor == "postgresql":
        return count_search_hits(queryset, query)
    # Any list too: an exact count of every published article read all 200,000 of them (56-108 ms a page).
    return count_hits(queryset)


class SearchPaginator(Paginator):
    """A Paginator that takes a search's count from count_matches: `count` may be an estimate
    (`count_is_estimate`, `count_display` "约 200,000"), and the pages end with the ranked best hits."""

    @cached_property
    def search_count(self) -> SearchCount:
        return count_matches(self.object_list)

    @cached_property
    def count(self) -> int:
        return self.search_count.total

    @property
    def count_is_estimate(self) -> bool:
        return self.search_count.estimated

    @property
    def count_display(self) -> str:
        return str(self.search_count)

    @cached_property
    def num_pages(self) -> int:
        pageable = self.search_count.pageable
        rows = self.count if pageable is None else min(self.count, pageable)
        if rows == 0 and not self.allow_empty_first_page:
            return 0
        return ceil(max(1, rows - self.orphans) / self.per_page)
