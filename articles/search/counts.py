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


def _past_limit(queryset, *, at_least: int = 0) -> SearchCount:
    from .postgres import estimated_rows

    estimate = max(_round_estimate(estimated_rows(queryset)), _round_estimate(at_least))
    return SearchCount(max(estimate, EXACT_COUNT_LIMIT + 1), True)


def count_search_hits(queryset, query) -> SearchCount:
    """count_hits for the search `query` on PostgreSQL, read through GIN bitmaps; a plain one-word search proven
    past EXACT_COUNT_LIMIT by the word's kept count, or by the statistics (SURELY_PAST_LIMIT), is not counted."""
    # Counting to the limit visits 10,001 rows of the article table, each on a page of its own, only to show a
    # number that is an estimate anyway (docs/search.md, "Counting").
    from . import term_counts
    from .postgres import bitmap_scans, estimated_rows, is_plain_search, publication_time, whole_words

    one_word = len(query.terms) == 1 and not query.phrases and is_plain_search(queryset)
    kept = term_counts.kept_count(query.terms[0]) if one_word else None
    with bitmap_scans():
        if kept is not None:
            # Unpublished as of the search's own time: an article that went public since is in neither.
            at_least = term_counts.published_at_least(kept, EXACT_COUNT_LIMIT, publication_time(queryset))
            if at_least:
                return _past_limit(queryset, at_least=at_least)
        if one_word and estimated_rows(whole_words(queryset, query)) >= SURELY_PAST_LIMIT:
            return _past_limit(queryset)
        found = count_hits(queryset)
    if one_word and kept is None and found.estimated:
        # Recorded once; from then on the triggers keep it (a word whose prefix is common but is itself rare too).
        term_counts.record(query.terms[0])
    return found


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
