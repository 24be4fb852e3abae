"""Counts: how many articles a search found (estimated at archive scale on PostgreSQL) and its paginator."""

from __future__ import annotations

import datetime
import json
import time
from dataclasses import dataclass
from functools import cached_property
from math import ceil

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, Subquery

from ..models import Article

# and they are found through the (status, published_at) index inside a window of recent publication times,
# sized from the planner's estimate of how many articles match, widened until it holds enough hits.
RELEVANCE_CANDIDATES = 200
# A window is sized to hold this many times RELEVANCE_CANDIDATES hits by the planner's estimate...
WINDOW_OVERSAMPLE = 1.5
# ...except that PostgreSQL puts a word missing from its statistics (rarer than the least common word they
# keep) at 0.5 % of the rows (DEFAULT_TS_MATCH_SEL), and less for several such words, whatever they really
# are: at or below that share, this one is assumed.
PLANNER_DEFAULT_RATE = 0.005
WINDOW_UNKNOWN_RATE = 0.02
# Widened at most this many times before searching everything.
WINDOW_TRIES = 3
# Fewer published articles than this: every search looks at all of them.
WINDOW_MIN_ARTICLES = 5_000
# The articles a window covers are counted up to this many, estimated by the planner beyond.
WINDOW_COUNTED_ARTICLES = 10_000
ARCHIVE_STATS_MAX_AGE = 60.0


@dataclass(frozen=True)
class SearchCount:
    """How many articles a search found: exact, or estimated (`estimated`) when it found more than it ranked."""

    total: int
    estimated: bool = False
    # How many of them the ordered queryset really holds, when that is fewer (the ranked candidates).
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


def _estimated_rows(queryset) -> int:
    """The planner's estimate of how many rows `queryset` returns (planning only, nothing is read)."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


_archive_stats_cache: dict[str, tuple] = {}


def _archive_stats() -> tuple[int, datetime.datetime | None, datetime.datetime | None]:
    """(estimated number of published articles, earliest and latest publication time), looked up at most once
    a minute: windows are used only when the published articles span some time."""
    now = time.monotonic()
    cached = _archive_stats_cache.get(connection.alias)
    if cached is not None and now - cached[0] < ARCHIVE_STATS_MAX_AGE:
        return cached[1:]
    published = Article.objects.published()
    times = published.values_list("published_at", flat=True)
    earliest, latest = times.order_by("published_at").first(), times.order_by("-published_at").first()
    articles = _estimated_rows(published)
    if articles <= WINDOW_COUNTED_ARTICLES:  # without statistics (a new table) the estimate can be far off
        articles = published.order_by().count()
    stats = (articles, earliest, latest)
    _archive_stats_cache[connection.alias] = (now, *stats)
    return stats


def _estimated_total(rows: list[tuple[int, datetime.datetime]], articles: int) -> SearchCount:
    """The newest hits, newest first, as (pk, published_at): the total if hits are spread over time like
    articles are, from the share of the published articles that appeared since the oldest of them."""
    since = rows[-1][1]
    hits = sum(1 for _, published_at in rows if published_at > since)  # ties of the last one may be cut off
    if hits:
        window = Article.objects.published().filter(published_at__gt=since)
    else:
        hits, window = len(rows), Article.objects.published().filter(published_at__gte=since)
    window = window.order_by()
    covered = window[: WINDOW_COUNTED_ARTICLES + 1].count()  # counted when that is cheap, else estimated
    if covered > WINDOW_COUNTED_ARTICLES:
        covered = _estimated_rows(window)
    return SearchCount(max(_round_estimate(hits * articles / max(covered, 1)), len(rows)), True, len(rows))


def _newest_matches(queryset, limit: int) -> tuple[list[int], SearchCount]:
    """Ids of the `limit` most recently published rows of `queryset`, and how many rows it has in all."""
    # Each try reads the hits published after a cutoff, newest first: through the (status, published_at)
    # index, stopping at the `limit`-th hit, when most articles match; by ANDing the GIN bitmap with that
    # index's when few do (the planner picks). A window that holds `limit` hits holds the newest `limit`.
    base = queryset.order_by()
    articles, earliest, latest = _archive_stats()
    windows = earliest is not None and latest > earliest and articles >= WINDOW_MIN_ARTICLES
    fraction = 1.0
    if windows:
        rate = _estimated_rows(base) / max(articles, 1)
        if rate <= PLANNER_DEFAULT_RATE * 1.01:
            rate = WINDOW_UNKNOWN_RATE
        fraction = min(1.0, WINDOW_OVERSAMPLE * limit / (rate * articles))
    tries = 0
    newest_times = Article.objects.published().order_by("-published_at").values("published_at")
    while fraction < 1.0:
        # The window holds the newest `fraction` of the articles, whenever they appeared: its cutoff is read
        # from the (status, published_at) index in the same statement. A cutoff in time instead assumed an even
        # spread; after a gap in the archive (an import of 2024 pages beside ones up to 2018) every window missed
        # and the search fell through to ranking every hit: 770 ms for 劳模 at 208,000 articles.
        skip = int(articles * fraction)
        cutoff = Subquery(newest_times[skip : skip + 1])
        # Descending with nulls first, as the index runs backwards (the window holds no nulls anyway).
        rows = list(
            base.filter(published_at__gte=cutoff)
            .order_by("-published_at", "-pk")
            .values_list("pk", "published_at")[:limit]
        )
        if len(rows) == limit:
            return [pk for pk, _ in rows], _estimated_total(rows, articles)
        tries += 1
        widen = max(2.0, WINDOW_OVERSAMPLE * limit / max(len(rows), 1))
        fraction = 1.0 if tries >= WINDOW_TRIES else fraction * widen
    rows = list(base.order_by(F("published_at").desc(nulls_last=True), "-pk").values_list("pk", "published_at")[:limit])
    ids = [pk for pk, _ in rows]
    if len(rows) < limit:
        return ids, SearchCount(len(rows), False, len(rows))
    if not windows or rows[-1][1] is None:
        return ids, SearchCount(base.count(), False, len(rows))  # a small archive, or drafts (staff searches)
    return ids, _estimated_total(rows, articles)


def count_matches(queryset) -> SearchCount:
    """How many articles `queryset` holds, estimated when it is a big PostgreSQL search (see SearchPaginator)."""
    count = getattr(queryset.query, "newsroom_count", None)
    if count is not None:
        return count
    if connection.vendor == "postgresql" and getattr(queryset.query, "newsroom_search", None):
        # A search in another order (newest first…), every hit of which can be paged through: counted like
        # order_by_relevance counts.
        count = _newest_matches(queryset, RELEVANCE_CANDIDATES)[1]
        return SearchCount(count.total, count.estimated)
    return SearchCount(queryset.count())


class SearchPaginator(Paginator):
    """A Paginator that takes a search's count from count_matches: `count` may be an estimate
    (`count_is_estimate`, `count_display` "约 200,000"), and the pages end with the ranked candidates."""

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
