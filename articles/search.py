"""Chinese full-text search over articles, the same on PostgreSQL and SQLite (see docs/search.md)."""

# PostgreSQL keeps a weighted tsvector in Article.search_vector behind a GIN index; SQLite keeps an FTS5 table,
# article_fts, whose rowid is the article id. Only update_search_index writes either.

from __future__ import annotations

import datetime
import json
import re
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from itertools import islice
from math import ceil

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import BooleanField, F, FloatField, Func, Subquery, Value
from django.db.models.functions import Cast
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Article, Byline, Organisation, OrganisationAlias, Reporter

FTS_TABLE = "article_fts"
# Main token streams take phrases; *_sub hold the extra words (in-word suffixes, cut-across dictionary words)
# that single query words may match but phrases may not.
FTS_COLUMNS = ("title", "meta", "body", "title_sub", "meta_sub", "body_sub")
PHRASE_COLUMNS = "{title meta body}"
# bm25 weights in the ratio of ts_rank's defaults for A, B and C (1.0, 0.4, 0.2).
FTS_WEIGHTS = (5.0, 2.0, 1.0, 5.0, 2.0, 1.0)
# A private-use character: FTS5's unicode61 indexes it as a token, while a query can never contain one
# (parse_query drops every non-word character), so a phrase cannot run across it from one name into the next.
ITEM_BREAK = "\ue000"

MAX_QUERY_CHARS = 200
MAX_QUERY_TOKENS = 32
# Enough of a pasted 2,000-character query to fill MAX_QUERY_CHARS after control characters go.
MAX_QUERY_SCAN = 4 * MAX_QUERY_CHARS
MAX_SUFFIX_WORD = 20
# Dictionary words are looked for across up to this many consecutive words, up to this length.
SPANNING_TOKENS = 3
MAX_SPANNING_WORD = 8
PG_MAX_POSITION = 16383
BATCH_SIZE = 500
FTS_HIT_LIKELIHOOD = 0.05
QUERY_USER_TERMS_MAX_AGE = 10.0
# Entries per memo table of per-word work (about 200 bytes each), emptied when full.
MEMO_LIMIT = 50_000
# Texts cut by jieba for the index (names, datelines) remembered, up to this long.
MEMO_TEXT_CHARS = 40
CUT_MEMO_LIMIT = 50_000

_WORD = re.compile(r"[^\W_]+")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_SPACE_BETWEEN_HAN = re.compile(f"(?<={_HAN.pattern})\\s+(?={_HAN.pattern})")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "「": '"', "」": '"'})


class SearchIndexMissing(ImproperlyConfigured):
    """The SQLite database has no full-text table (it predates migration articles 0003)."""


# --- tokens ------------------------------------------------------------------------------------------------


def _parsing():
    # Imported on first use: signals.py imports this module while apps load, and jieba need not load then.
    from . import parsing

    return parsing


class _Memo(dict):
    """A memo table for pure per-word work: a missing key is computed once; emptied when it grows too big."""

    __slots__ = ("compute",)

    def __init__(self, compute: Callable):
        super().__init__()
        self.compute = compute

    def __missing__(self, key):
        if len(self) >= MEMO_LIMIT:
            self.clear()
        value = self[key] = self.compute(key)
        return value


# Vocabulary repeats heavily from article to article, so every per-word step is worked out once per process.
# None of these depends on jieba's dictionary (see _short_text_runs and _add_extra_words for what does).


def _pieces(word: str, folded: str) -> tuple[str, ...]:
    """The index terms of one word: its folded form cut at non-word characters."""
    pieces = tuple(_WORD.findall(folded))
    return (word,) if pieces == (word,) else pieces  # most words are their own term: keep one string


# A segment() word of NFKC text, and a word of raw text (the importer's parse), as index terms.
_SEGMENTED_PIECES = _Memo(lambda word: _pieces(word, word.lower()))
_GIVEN_PIECES = _Memo(lambda word: _pieces(word, unicodedata.normalize("NFKC", word).lower()))


def runs(text: str, words: Sequence[str] | None = None) -> list[list[str]]:
    """A text's terms in reading order, grouped in runs that touch in the text; `words` = its segment() output."""
    # Terms are jieba's words, NFKC-folded, lower-cased and cut at non-word characters. A dropped space or
    # punctuation mark ends a run, so that no cut-across word is made up from words that never touched.
    # A caller that has segmented the text already (the importer's parse) passes `words` to save a second cut.
    if not text:
        return []
    if words is None:
        text = unicodedata.normalize("NFKC", text)
        words = _parsing().segment(text)
        pieces_of = _SEGMENTED_PIECES
        given = False
    else:
        pieces_of = _GIVEN_PIECES
        given = True
    find = text.find
    found: list[list[str]] = []
    run: list[str] = []
    cursor = 0
    for word in words:
        at = find(word, cursor)
        if at != cursor:
            if at < 0:
                if given:
                    return runs(text)  # not this text's words (edited since the parse)
            else:
                cursor = at
            if run:
                found.append(run)
                run = []
        if at >= 0:
            cursor += len(word)
        pieces = pieces_of[word]
        if len(pieces) == 1:
            run.append(pieces[0])
        elif pieces:
            run.append(pieces[0])
            for piece in pieces[1:]:
                found.append(run)
                run = [piece]
    if run:
        found.append(run)
    return found


def tokens(text: str) -> list[str]:
    """The terms of a text in reading order (see runs)."""
    return [word for run in runs(text) for word in run]


def _han_word(word: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """None for a term without Chinese characters; else its in-word suffixes, and the tails a cut-across word
    may start with (longest first; the same string objects)."""
    if not _HAN.search(word):
        return None
    size = len(word)
    tails = (word, *(word[start:] for start in range(1, size)))
    suffixes = tails[1:] if 2 <= size <= MAX_SUFFIX_WORD else ()
    return suffixes, tails[max(0, size - MAX_SPANNING_WORD + 1) :]


_HAN_WORDS = _Memo(_han_word)


def _add_extra_words(item: Sequence[Sequence[str]], frequencies: dict, found: dict[str, None]) -> None:
    """Add to `found` the in-word suffixes and cut-across dictionary words of each run of words of an item."""
    # In-word suffixes: queries are prefix matches, so with every proper suffix indexed a query word matches
    # wherever it sits inside a longer word (劳模 in 全国劳模 and 劳模精神). Cut-across dictionary words
    # (党员干部 in 广大党员|干部, 组成员 in 党组|成员): the query 党员干部 is one jieba word, so it must be
    # one index term too. Dictionary lookups cost no second segmentation, and as jieba's dictionary also
    # holds every prefix of its words (with frequency 0), a miss ends the search from that character.
    # The lookups are made afresh every time: the importer's parser adds words to jieba on almost every page.
    lookup = frequencies.get
    han_words = _HAN_WORDS
    for run in item:
        info = [han_words[word] for word in run]
        last = len(run) - 1
        for index, word_info in enumerate(info):
            if word_info is None:
                continue
            if word_info[0]:
                found.update(dict.fromkeys(word_info[0]))
            if index == last or info[index + 1] is None:
                continue
            following = run[index + 1]
            first = following[0]
            extended = False
            for tail in word_info[1]:
                word = tail + first
                frequency = lookup(word)
                if frequency is None:
                    continue
                if frequency:
                    found[word] = None
                if not extended:  # rarely needed: the words after the next one, up to SPANNING_TOKENS in all
                    extended = True
                    for offset in range(index + 2, min(index + SPANNING_TOKENS, last + 1)):
                        if info[offset] is None:
                            break
                        following += run[offset]
                for end in range(2, min(len(following), MAX_SPANNING_WORD - len(tail)) + 1):
                    word = tail + following[:end]
                    frequency = lookup(word)
                    if frequency is None:
                        break
                    if frequency:
                        found[word] = None


def _dictionary() -> dict:
    import jieba

    return jieba.dt.FREQ


# --- user dictionary -----------------------------------------------------------------------------------------

_user_terms_lock = threading.Lock()
_user_terms_signature = None
_user_terms_checked_at = float("-inf")


def _gazetteer_signature() -> tuple:
    # Counts and max pks notice additions and deletions; summed name lengths notice most renames.
    parts = []
    for model in (Organisation, OrganisationAlias, Reporter):
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(
            f"(SELECT COUNT(*) FROM {table}), (SELECT MAX(id) FROM {table}), (SELECT SUM(LENGTH(name)) FROM {table})"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return (connection.alias, *cursor.fetchone())


def ensure_user_terms(*, max_age: float = 0) -> None:
    """Load organisation names, aliases and reporter names into jieba, again only when those tables change."""
    # One cheap query checks for a change; with `max_age`, not even that if the last check is that recent.
    global _user_terms_signature, _user_terms_checked_at
    now = time.monotonic()
    if max_age and _user_terms_signature is not None and now - _user_terms_checked_at < max_age:
        return
    signature = _gazetteer_signature()
    _user_terms_checked_at = now
    if signature == _user_terms_signature:
        return
    with _user_terms_lock:
        names = (
            Organisation.objects.order_by()
            .values_list("name", flat=True)
            .union(
                OrganisationAlias.objects.order_by().values_list("name", flat=True),
                Reporter.objects.order_by().values_list("name", flat=True),
            )
        )
        _parsing().add_user_terms(sorted({name.strip() for name in names if len(name.strip()) >= 2}))
        _user_terms_signature = signature


def forget_user_terms() -> None:
    """Make the next ensure_user_terms reload the names (a rename may keep counts and lengths)."""
    global _user_terms_signature
    _user_terms_signature = None


# --- queries -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedQuery:
    """A reader's query: words that must all occur, and quoted phrases whose words must occur in a row."""

    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)


def _clean(raw) -> str:
    if raw is None:
        return ""
    text = str(raw)[:MAX_QUERY_SCAN]
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    return text.translate(_QUOTES)[:MAX_QUERY_CHARS]


def parse_query(raw: str) -> ParsedQuery:
    """Segment a query as documents are segmented; "quoted" text is a phrase; operators and symbols are dropped."""
    text = _clean(raw)
    if not text.strip():
        return ParsedQuery()
    # A results page parses the same query once per highlighted snippet; names added by another
    # process reach queries within seconds, while indexing (update_search_index) always checks.
    ensure_user_terms(max_age=QUERY_USER_TERMS_MAX_AGE)
    parts = text.split('"')
    terms: list[str] = []
    phrases: list[tuple[str, ...]] = []
    budget = MAX_QUERY_TOKENS
    for index, part in enumerate(parts):
        # An odd part is quoted only when a closing quote follows it; a stray quote quotes nothing.
        quoted = index % 2 == 1 and index + 1 < len(parts)
        if quoted:
            # Chinese is written without spaces, so "劳模 精神" means the text 劳模精神.
            part = _SPACE_BETWEEN_HAN.sub("", part)
        words = tokens(part)
        if quoted and len(words) > 1:
            phrase = tuple(words[:budget])
            if len(phrase) > 1:
                if phrase not in phrases:
                    phrases.append(phrase)
                    budget -= len(phrase)
                continue
            words = list(phrase)
        for word in words:
            if budget <= 0:
                break
            if word not in terms:
                terms.append(word)
                budget -= 1
    return ParsedQuery(terms=tuple(terms), phrases=tuple(phrases))


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery_text(query: ParsedQuery) -> str:
    """The query as a tsquery literal: every word as a prefix, every phrase with <->, all joined by &."""
    # A phrase also matches as one word, for when the document holds it inside or across longer words
    # (之家 in 职工之家): the index has those as suffixes and cut-across words, which phrases cannot reach.
    parts = [f"{_lexeme(term)}:*" for term in query.terms]
    for phrase in query.phrases:
        in_a_row = " <-> ".join([*map(_lexeme, phrase[:-1]), _lexeme(phrase[-1]) + ":*"])
        parts.append(f"(({in_a_row}) | {_lexeme(''.join(phrase))}:*)")
    return " & ".join(parts)


def fts_match_text(query: ParsedQuery) -> str:
    """The query in FTS5 syntax, meaning the same as tsquery_text on the same index content."""
    parts = [f'"{term}"*' for term in query.terms]
    parts += [f'(({PHRASE_COLUMNS} : "{" ".join(phrase)}"*) OR "{"".join(phrase)}"*)' for phrase in query.phrases]
    return " AND ".join(parts)


# Cast, not a bare constant: PostgreSQL refuses ORDER BY 0.0 ("non-integer constant in ORDER BY").
_NO_RANK = Cast(Value(0.0), FloatField())


class _TsQueryLiteral(SearchQuery):
    # The lexemes are ours already; to_tsquery would run PostgreSQL's parser and locale over them again.
    template = "(%(expressions)s)::tsquery"


class _Fts5Match(Func):
    output_field = BooleanField()
    conditional = True

    def as_sql(self, compiler, connection, **extra_context):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        match_sql, match_params = compiler.compile(self.source_expressions[1])
        # The IN list is built once per statement. The likelihood() hint (hits are usually a small share
        # of the articles) is what makes SQLite index the rank lookup below when it has no statistics
        # (ANALYZE never ran); without it, sorting by rank rescans all hits once per hit.
        sql = (
            f"likelihood({pk_sql} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH {match_sql}), "
            f"{FTS_HIT_LIKELIHOOD})"
        )
        return sql, (*pk_params, *match_params)


class _Fts5Rank(Func):
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):
        match_sql, match_params = compiler.compile(self.source_expressions[0])
        pk_sql, pk_params = compiler.compile(self.source_expressions[1])
        weights = ", ".join(str(weight) for weight in FTS_WEIGHTS)
        # bm25() counts the matching rows of each phrase anew for every statement that runs the MATCH, so
        # ranking inside a subquery correlated with each article would pass over all hits once per hit.
        # A materialised CTE ranks all hits once; each article then looks its score up in it.
        hint = "MATERIALIZED " if sqlite3.sqlite_version_info >= (3, 35) else ""
        sql = (
            f"(WITH ranks AS {hint}(SELECT rowid AS id, -bm25({FTS_TABLE}, {weights}) AS score "
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH {match_sql}) "
            f"SELECT ranks.score FROM ranks WHERE ranks.id = {pk_sql})"
        )
        return sql, (*match_params, *pk_params)


class _PkAmong(Func):
    """pk = ANY(%s): one array parameter, where pk__in would send and parse hundreds of them."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, pk, *, ids):
        super().__init__(pk)
        self.ids = list(ids)

    def as_sql(self, compiler, connection, **extra_context):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        return f"{pk_sql} = ANY(%s)", (*pk_params, self.ids)


def _require_fts_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [FTS_TABLE])
        if cursor.fetchone() is None:
            raise SearchIndexMissing(
                f"The SQLite full-text table {FTS_TABLE!r} is missing: run `python manage.py migrate articles` "
                "and then `python manage.py reindex`."
            )


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
        ids, count = _newest_matches(queryset, RELEVANCE_CANDIDATES)
        queryset = queryset.filter(_PkAmong(F("pk"), ids=ids))
        queryset.query.newsroom_count = count
    return queryset.order_by(F("search_rank").desc(), F("published_at").desc(nulls_last=True), "-pk")


# --- counting and ranking at archive scale (PostgreSQL) ------------------------------------------------------

# Ranking needs each hit's tsvector (about 7 kB, out of line) and ts_rank over it: cheap for a few hundred hits,
# hundreds of milliseconds for a word in every article. So only the newest RELEVANCE_CANDIDATES hits are ranked,
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


# --- highlighting --------------------------------------------------------------------------------------------


def _pattern(query: ParsedQuery) -> re.Pattern | None:
    # Between the words of a phrase the text may hold what segmentation dropped (spaces, a hyphen).
    alternatives = [r"[\W_]*".join(map(re.escape, phrase)) for phrase in query.phrases]
    alternatives += [re.escape(term) for term in query.terms]
    if not alternatives:
        return None
    return re.compile("|".join(sorted(alternatives, key=len, reverse=True)))


def _spans(text: str, pattern: re.Pattern | None) -> list[tuple[int, int]]:
    """Matched character ranges of the original text, found on its NFKC-folded lower-case form."""
    if pattern is None or not text:
        return []
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        fold = char.lower() if char.isascii() else unicodedata.normalize("NFKC", char).lower()
        folded.append(fold)
        origin.extend([index] * len(fold))
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer("".join(folded)):
        if match.end() == match.start():
            continue
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def _marked(text: str, spans: list[tuple[int, int]], offset: int = 0) -> str:
    pieces, cursor = [], 0
    for start, end in spans:
        start, end = max(start - offset, 0), min(end - offset, len(text))
        if end <= cursor or start >= len(text):
            continue
        start = max(start, cursor)
        pieces += [escape(text[cursor:start]), "<mark>", escape(text[start:end]), "</mark>"]
        cursor = end
    pieces.append(escape(text[cursor:]))
    return "".join(pieces)


def highlight(text: str, raw_query: str) -> SafeString:
    """The text HTML-escaped, with the query's words and phrases wrapped in <mark>; nothing else changes."""
    text = text or ""
    return mark_safe(_marked(text, _spans(text, _pattern(parse_query(raw_query)))))


def excerpt(text: str, raw_query: str, width: int = 120) -> SafeString:
    """About `width` characters around the first match (else the start), escaped and marked, … where cut."""
    text = " ".join((text or "").split())
    width = max(int(width), 1)
    spans = _spans(text, _pattern(parse_query(raw_query)))
    start = 0
    if spans and len(text) > width:
        first_start, first_end = spans[0]
        # Some text before the match for context, but never so much that the match falls off the end.
        start = max(0, min(first_start - width // 4, len(text) - width))
        if first_end > start + width:
            start = max(0, first_end - width)
    end = min(len(text), start + width)
    body = _marked(text[start:end], [(s, e) for s, e in spans if e > start and s < end], offset=start)
    return mark_safe(("…" if start > 0 else "") + body + ("…" if end < len(text) else ""))


# --- the index -----------------------------------------------------------------------------------------------


def _jieba_state(frequencies: dict) -> tuple:
    """Changes whenever a word is added to jieba's dictionary (a new word, or a new frequency for an old one)."""
    import jieba

    return id(frequencies), len(frequencies), jieba.dt.total


# Texts cut by jieba for the index that recur from article to article (tag, people and organisation names,
# datelines): text -> (jieba state when last checked, the dictionary lookups its cut makes joined by NUL, a hash
# of their results, runs).
_cut_memo: dict[str, tuple] = {}


def _lookups(text: str, frequencies: dict) -> str:
    """The dictionary entries jieba's cut of `text` depends on, joined by NUL: from each character on, the longer
    and longer pieces it looks up while they are in the dictionary, and the first one that is not (get_DAG)."""
    keys = []
    size = len(text)
    for start in range(size):
        for end in range(start + 1, size + 1):
            piece = text[start:end]
            keys.append(piece)
            if piece not in frequencies:
                break
    return "\0".join(keys)


def _short_text_runs(text: str, frequencies: dict, state: tuple) -> list[list[str]]:
    """runs(text), remembered for short texts for as long as the dictionary entries their cut reads stay."""
    # jieba cuts a text by the dictionary entries _lookups names alone (and the dictionary's total, whose
    # drift is ignored): any word added over the text changes one of them, as jieba adds every prefix of a
    # word too. So the remembered cut holds while they hold, whatever else was added: the importer's parser
    # adds words to jieba on almost every page, and these texts are looked up again only then.
    if not text:
        return []
    entry = _cut_memo.get(text)
    if entry is not None:
        checked, keys, entries, found = entry
        if checked == state:
            return found
        if hash(tuple(map(frequencies.get, keys.split("\0")))) == entries:
            _cut_memo[text] = (state, keys, entries, found)
            return found
    found = runs(text)
    if len(text) <= MEMO_TEXT_CHARS:
        if len(_cut_memo) >= CUT_MEMO_LIMIT:
            _cut_memo.clear()
        keys = _lookups(unicodedata.normalize("NFKC", text), frequencies)
        _cut_memo[text] = (state, keys, hash(tuple(map(frequencies.get, keys.split("\0")))), found)
    return found


_position_labels: dict[str, list[str]] = {}


def _labels(weight: str, first: int, count: int, step: int = 1) -> list[str]:
    """tsvector position labels ("12A") for `count` positions from `first`, `step` apart, capped at PG's limit."""
    labels = _position_labels.get(weight)
    if labels is None:
        labels = _position_labels[weight] = [f"{position}{weight}" for position in range(PG_MAX_POSITION + 1)]
    last = first + (count - 1) * step
    if last <= PG_MAX_POSITION:
        return labels[first : last + 1 : step]
    return [labels[min(position, PG_MAX_POSITION)] for position in range(first, last + 1, step)]


@dataclass
class IndexedDocument:
    """An article as the index sees it: per weight (A title, B labels and names, C text) items of runs of words."""

    items: dict[str, list[list[list[str]]]]

    @cached_property
    def _terms(self) -> dict[str, tuple[list[list[str]], list[str]]]:
        # Per weight: the word stream of each non-empty item, and the extra words that are not among them.
        frequencies = _dictionary()
        terms = {}
        for weight in "ABC":
            streams: list[list[str]] = []
            found: dict[str, None] = {}
            for item in self.items[weight]:
                _add_extra_words(item, frequencies, found)
                stream = item[0] if len(item) == 1 else [word for run in item for word in run]
                if stream:
                    streams.append(stream)
            if found:
                own = {word for stream in streams for word in stream}
                terms[weight] = (streams, [word for word in found if word not in own])
            else:
                terms[weight] = (streams, [])
        return terms

    def words(self, weight: str) -> list[list[str]]:
        """The word stream of each non-empty item of a weight."""
        return self._terms[weight][0]

    def extra_words(self, weight: str) -> list[str]:
        """This weight's in-word suffixes and cut-across dictionary words that are not already its words."""
        return self._terms[weight][1]

    def as_text(self) -> str:
        """Readable form stored in Article.search_document: one line per weight, ' | ' between items."""
        terms = self._terms
        return "\n".join(" | ".join([" ".join(words) for words in terms[weight][0]]) for weight in "ABC")

    def fts_row(self) -> tuple[str, ...]:
        """Column values for article_fts, in FTS_COLUMNS order."""
        terms = self._terms
        breaker = f" {ITEM_BREAK} "
        main = [breaker.join([" ".join(words) for words in terms[weight][0]]) for weight in "ABC"]
        return (*main, *(" ".join(terms[weight][1]) for weight in "ABC"))

    def tsvector_text(self) -> str:
        """A tsvector literal: words at their positions, a gap between items, each extra word on its own."""
        # Each word's entry is built as a string ('word':3A,17C), which the garbage collector need not track.
        # Terms are letters and digits only (runs), so no quote or backslash needs escaping as _lexeme does.
        terms = self._terms
        entries: dict[str, str] = {}
        get = entries.get
        position = 0
        for weight in "ABC":
            for words in terms[weight][0]:
                position += 1  # the gap that keeps a phrase inside one item
                for word, label in zip(words, _labels(weight, position + 1, len(words)), strict=True):
                    entry = get(word)
                    entries[word] = "'" + word + "':" + label if entry is None else entry + "," + label
                position += len(words)
        for weight in "ABC":
            extra = terms[weight][1]
            if not extra:
                continue
            # Every other position: no extra word ever stands next to another, so phrases never use one.
            for word, label in zip(extra, _labels(weight, position + 2, len(extra), 2), strict=True):
                entry = get(word)
                entries[word] = "'" + word + "':" + label if entry is None else entry + "," + label
            position += 2 * len(extra)
        return " ".join(entries.values())


@dataclass
class IndexSource:
    """Everything the index reads of one article, for index_articles (see IndexSource.of)."""

    pk: int
    title: str = ""
    kicker: str = ""
    subtitle: str = ""
    dateline: str = ""
    body: str = ""
    tags: Sequence[str] = ()
    # One name per byline (a person credited in two roles twice).
    people: Sequence[str] = ()
    # (name, every alias) of each linked organisation; or their ids, to be looked up in one query per batch.
    organisations: Sequence[tuple[str, Sequence[str]]] = ()
    organisation_ids: Iterable[int] = ()
    # parsing.segment() output for kicker, title, subtitle and/or body (ParsedArticle.tokens).
    segmented: Mapping[str, Sequence[str]] | None = None
    # The values to store, worked out ahead by prepare().
    prepared: tuple[str, ...] | None = None

    def prepare(self) -> IndexSource:
        """Segment and lay out the index entry now, reading no database (in the importer's parse workers,
        say); index_articles then only writes it. Needs `organisations` by name; `pk` may be set later."""
        if self.organisation_ids:
            raise ValueError("prepare() reads no database: give organisations by name, not organisation_ids")
        frequencies = _ready_dictionary()
        self.prepared = _stored_values(_document(self, frequencies, _jieba_state(frequencies)))
        return self

    @classmethod
    def of(cls, article: Article, **names) -> IndexSource:
        """The texts of an Article instance in memory; tags, people, organisations… as keyword arguments."""
        return cls(
            pk=article.pk,
            title=article.title or "",
            kicker=article.kicker or "",
            subtitle=article.subtitle or "",
            dateline=article.dateline or "",
            body=article.body or "",
            **names,
        )


def _document(source: IndexSource, frequencies: dict, state: tuple) -> IndexedDocument:
    segmented = source.segmented or {}

    def field(name: str) -> list[list[str]]:
        words = segmented.get(name)
        if words is None:
            return _short_text_runs(getattr(source, name), frequencies, state)
        return runs(getattr(source, name), words)

    def name(text: str) -> list[list[str]]:
        return _short_text_runs(text, frequencies, state)

    # Names in a fixed order, whoever gathered them: the document is the same from either entry point.
    names = [field("kicker"), field("subtitle")]
    names += [name(tag) for tag in sorted(source.tags)]
    names += [name(person) for person in source.people]
    for organisation, aliases in sorted(source.organisations, key=lambda pair: pair[0]):
        names.append(name(organisation))
        names += [name(alias) for alias in sorted(aliases)]
    return IndexedDocument(items={"A": [field("title")], "B": names, "C": [field("dateline"), field("body")]})


def index_document(article: Article, segmented: Mapping[str, Sequence[str]] | None = None) -> IndexedDocument:
    """Segment an article (bylines__reporter, tags, organisations__aliases prefetched); see update_search_index."""
    source = IndexSource.of(
        article,
        tags=[tag.name for tag in article.tags.all()],
        people=[byline.reporter.name for byline in article.bylines.all()],
        organisations=[
            (organisation.name, [alias.name for alias in organisation.aliases.all()])
            for organisation in article.organisations.all()
        ],
        segmented=segmented,
    )
    frequencies = _ready_dictionary()
    return _document(source, frequencies, _jieba_state(frequencies))


def _batched(values: Iterable, size: int) -> Iterator[list]:
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch


def _load_sources(article_ids: list[int], segmented: Mapping[int, Mapping[str, Sequence[str]]]) -> list[IndexSource]:
    """The articles that exist among these ids, with their names, in four queries of plain rows."""
    sources = {
        pk: IndexSource(pk, title, kicker, subtitle, dateline, body, [], [], [], segmented=segmented.get(pk))
        for pk, title, kicker, subtitle, dateline, body in Article.objects.filter(pk__in=article_ids)
        .order_by()
        .values_list("pk", "title", "kicker", "subtitle", "dateline", "body")
    }
    if not sources:
        return []
    for pk, name in (
        Byline.objects.filter(article_id__in=article_ids)
        .order_by("article_id", "order", "pk")
        .values_list("article_id", "reporter__name")
    ):
        sources[pk].people.append(name)
    for pk, name in (
        Article.objects.filter(pk__in=article_ids, tags__isnull=False).order_by().values_list("pk", "tags__name")
    ):
        sources[pk].tags.append(name)
    links = (
        Article.organisations.through.objects.filter(article_id__in=article_ids)
        .order_by()
        .values_list("article_id", "organisation_id", "organisation__name", "organisation__aliases__name")
    )
    organisations: dict[tuple[int, int], tuple[str, list[str]]] = {}
    for pk, organisation_id, name, alias in links:
        entry = organisations.get((pk, organisation_id))
        if entry is None:
            entry = organisations[pk, organisation_id] = (name, [])
            sources[pk].organisations.append(entry)
        if alias is not None:
            entry[1].append(alias)
    return list(sources.values())


def _resolve_organisations(sources: list[IndexSource]) -> None:
    """Fill in `organisations` of sources that name theirs by id, in one query."""
    wanted = {pk for source in sources for pk in source.organisation_ids}
    if not wanted:
        return
    found: dict[int, tuple[str, list[str]]] = {}
    rows = Organisation.objects.filter(pk__in=wanted).order_by().values_list("pk", "name", "aliases__name")
    for pk, name, alias in rows:
        entry = found.setdefault(pk, (name, []))
        if alias is not None:
            entry[1].append(alias)
    for source in sources:
        if source.organisation_ids:
            source.organisations = [
                *source.organisations,
                *(found[pk] for pk in dict.fromkeys(source.organisation_ids) if pk in found),
            ]
            source.organisation_ids = ()


def _ready_dictionary() -> dict:
    """jieba's dictionary, loaded with the newsroom's user dictionary if this process has not cut text yet."""
    _parsing().add_user_terms(())
    return _dictionary()


def _stored_values(document: IndexedDocument) -> tuple[str, ...]:
    """search_document, then the tsvector literal (PostgreSQL) or the article_fts columns (SQLite)."""
    if connection.vendor == "postgresql":
        return document.as_text(), document.tsvector_text()
    return document.as_text(), *document.fts_row()


def _write(sources: list[IndexSource], ids: list[int]) -> int:
    """Build and store the index entries of these sources; `ids` = every id asked for (the FTS rows to drop)."""
    _fill_prepared(sources)
    rows = [(source.pk, source.prepared) for source in sources]
    table = connection.ops.quote_name(Article._meta.db_table)
    if connection.vendor == "postgresql":
        if not rows:
            return 0
        # One statement for the whole batch, whatever its size.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS article SET search_document = new.document, search_vector = new.vector::tsvector "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS new (id, document, vector) "
                "WHERE article.id = new.id",
                [[pk for pk, _ in rows], [values[0] for _, values in rows], [values[1] for _, values in rows]],
            )
        return len(rows)
    if connection.vendor == "sqlite":
        with transaction.atomic(), connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", ids)
            if rows:
                columns = ", ".join(FTS_COLUMNS)
                marks = ", ".join(["%s"] * (len(FTS_COLUMNS) + 1))
                cursor.executemany(
                    f"INSERT INTO {FTS_TABLE} (rowid, {columns}) VALUES ({marks})",
                    [(pk, *values[1:]) for pk, values in rows],
                )
                cursor.executemany(
                    f"UPDATE {table} SET search_document = %s WHERE id = %s", [(values[0], pk) for pk, values in rows]
                )
        return len(rows)
    raise ImproperlyConfigured(f"Full-text search supports PostgreSQL and SQLite, not {connection.vendor}.")


def _check_backend() -> None:
    if connection.vendor == "sqlite":
        _require_fts_table()
    elif connection.vendor != "postgresql":
        raise ImproperlyConfigured(f"Full-text search supports PostgreSQL and SQLite, not {connection.vendor}.")


def update_search_index(article_ids, *, segmented: Mapping[int, Mapping[str, Sequence[str]]] | None = None) -> int:
    """Re-segment and store these articles' index entries (the one writer); ids of deleted articles drop out."""
    # `segmented` maps an article id to parsing.segment() output for its kicker, title, subtitle and body,
    # used instead of cutting those texts again: the importer passes ParsedArticle.tokens.
    ids = sorted({int(pk) for pk in article_ids if pk is not None})
    # Whatever the triggers queued for these articles is now done.
    _pending().difference_update(ids)
    if not ids:
        return 0
    _check_backend()
    ensure_user_terms()
    indexed = 0
    for batch in _batched(ids, BATCH_SIZE):
        indexed += _write(_load_sources(batch, segmented or {}), batch)
    return indexed


def index_articles(sources: Iterable[IndexSource]) -> int:
    """Store the index entries of articles whose texts and names the caller holds: no query reads them.

    The same entries as update_search_index([...]) for the same data (names are put in a fixed order).
    """
    sources = list({source.pk: source for source in sources}.values())  # the last one of an article counts
    ids = sorted(source.pk for source in sources)
    _pending().difference_update(ids)
    if not sources:
        return 0
    _check_backend()
    ensure_user_terms()
    indexed = 0
    for batch in _batched(sources, BATCH_SIZE):
        _resolve_organisations(batch)
        indexed += _write(batch, sorted(source.pk for source in batch))
    return indexed


def entries_in_row() -> bool:
    """Whether the index entry is a column of the article row (PostgreSQL), so it can go in with the INSERT."""
    return connection.vendor == "postgresql"


def prepare_entries(sources: list[IndexSource]) -> None:
    """Work out each source's stored values now (IndexSource.prepared), reading organisations by id in one query.

    The importer calls this before it inserts the articles, puts the values in their rows on PostgreSQL
    (entries_in_row), and then passes the sources to index_articles, which writes only what is not stored yet.
    """
    _check_backend()
    ensure_user_terms()
    _resolve_organisations(sources)
    _fill_prepared(sources)


def _fill_prepared(sources: list[IndexSource]) -> None:
    """Set IndexSource.prepared where it is not set yet: the one place index entries are built."""
    frequencies = _ready_dictionary()
    state = _jieba_state(frequencies)
    for source in sources:
        if source.prepared is None:
            source.prepared = _stored_values(_document(source, frequencies, state))


def mark_indexed(article_ids: Iterable[int]) -> None:
    """Articles whose entries went into their rows with the INSERT: nothing queued for them is left to do."""
    _pending().difference_update(article_ids)


def rebuild_search_index(*, batch_size: int = BATCH_SIZE, progress: Callable[[int, int], None] | None = None) -> int:
    """Reindex every article in batches, each committed on its own; return how many were indexed."""
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    total, done, indexed = len(ids), 0, 0
    if progress:
        progress(0, total)
    for batch in _batched(ids, max(int(batch_size), 1)):
        indexed += update_search_index(batch)
        done += len(batch)
        if progress:
            progress(done, total)
    if connection.vendor == "sqlite":
        # Rows of articles deleted while the triggers were off (or before they existed).
        table = connection.ops.quote_name(Article._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid NOT IN (SELECT id FROM {table})")
    return indexed


# --- deferred updates, for the triggers in signals.py --------------------------------------------------------

_local = threading.local()


def _pending() -> set[int]:
    if not hasattr(_local, "pending"):
        _local.pending = set()
    return _local.pending


def _flush_pending() -> None:
    pending = _pending()
    ids = set(pending)
    pending.clear()
    if ids:
        update_search_index(ids)


def schedule_reindex(article_ids: Iterable) -> None:
    """Queue articles for reindexing when the current transaction commits (at once outside a transaction)."""
    ids = {int(pk) for pk in article_ids if pk is not None}
    if not ids:
        return
    deferred = getattr(_local, "deferred", None)
    if deferred is not None:
        deferred.update(ids)
        return
    _pending().update(ids)
    # One callback per change: a rolled-back savepoint drops its own callbacks but not the others'.
    # The first callback to run indexes everything queued; the rest find nothing left.
    transaction.on_commit(_flush_pending)


def updates_deferred() -> bool:
    """Whether this thread is inside index_updates_deferred (an import or a restore collects its own ids)."""
    return getattr(_local, "deferred", None) is not None


@contextmanager
def index_updates_deferred() -> Iterator[set[int]]:
    """Switch the triggers off in this thread; yields the ids they would have queued, for one update at the end."""
    outer = getattr(_local, "deferred", None)
    collected: set[int] = set()
    _local.deferred = collected
    try:
        yield collected
    finally:
        _local.deferred = outer
        if outer is not None:
            outer.update(collected)
