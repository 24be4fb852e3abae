"""Chinese full-text search over articles, the same on PostgreSQL and SQLite (see docs/search.md)."""

# PostgreSQL keeps a weighted tsvector in Article.search_vector behind a GIN index; SQLite keeps an FTS5 table,
# article_fts, whose rowid is the article id. Only update_search_index writes either.

from __future__ import annotations

import re
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import BooleanField, F, FloatField, Func, Prefetch, Value
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
        given = False
    else:
        given = True
    found: list[list[str]] = []
    run: list[str] = []
    cursor = 0
    for word in words:
        at = text.find(word, cursor)
        if at < 0 and given:
            return runs(text)  # not this text's words (edited since the parse)
        if at != cursor and run:
            found.append(run)
            run = []
        cursor = at + len(word) if at >= 0 else cursor
        folded = unicodedata.normalize("NFKC", word) if given else word
        for index, piece in enumerate(_WORD.findall(folded.lower())):
            if index and run:
                found.append(run)
                run = []
            run.append(piece)
    if run:
        found.append(run)
    return found


def tokens(text: str) -> list[str]:
    """The terms of a text in reading order (see runs)."""
    return [word for run in runs(text) for word in run]


def _add_extra_words(run: list[str], frequencies: dict, found: dict[str, None]) -> None:
    """Add to `found` the in-word suffixes and cut-across dictionary words of a run of words."""
    # In-word suffixes: queries are prefix matches, so with every proper suffix indexed a query word matches
    # wherever it sits inside a longer word (劳模 in 全国劳模 and 劳模精神). Cut-across dictionary words
    # (党员干部 in 广大党员|干部, 组成员 in 党组|成员): the query 党员干部 is one jieba word, so it must be
    # one index term too. Dictionary lookups cost no second segmentation, and as jieba's dictionary also
    # holds every prefix of its words (with frequency 0), a miss ends the search from that character.
    lookup = frequencies.get
    han = [bool(_HAN.search(word)) for word in run]
    last = len(run) - 1
    for index, word in enumerate(run):
        if not han[index]:
            continue
        size = len(word)
        if 2 <= size <= MAX_SUFFIX_WORD:
            for start in range(1, size):
                found[word[start:]] = None
        if index == last or not han[index + 1]:
            continue
        joined = word
        for offset in range(index + 1, min(index + SPANNING_TOKENS, last + 1)):
            if not han[offset]:
                break
            joined += run[offset]
        for start in range(max(0, size - MAX_SPANNING_WORD + 1), size):
            for end in range(size + 1, min(len(joined), start + MAX_SPANNING_WORD) + 1):
                frequency = lookup(joined[start:end])
                if frequency is None:
                    break
                if frequency:
                    found[joined[start:end]] = None


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
        tsquery = _TsQueryLiteral(tsquery_text(query))
        return queryset.filter(search_vector=tsquery).annotate(search_rank=SearchRank(F("search_vector"), tsquery))
    if connection.vendor == "sqlite":
        _require_fts_table()
        match = fts_match_text(query)
        return queryset.filter(_Fts5Match(F("pk"), Value(match))).annotate(search_rank=_Fts5Rank(Value(match), F("pk")))
    raise ImproperlyConfigured(f"Full-text search supports PostgreSQL and SQLite, not {connection.vendor}.")


def order_by_relevance(queryset):
    """Best match first; among equals the most recently published, then the newest row."""
    if "search_rank" not in queryset.query.annotations:
        queryset = queryset.annotate(search_rank=_NO_RANK)
    return queryset.order_by(F("search_rank").desc(), F("published_at").desc(nulls_last=True), "-pk")


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


@dataclass
class IndexedDocument:
    """An article as the index sees it: per weight (A title, B labels and names, C text) items of runs of words."""

    items: dict[str, list[list[list[str]]]]

    def words(self, weight: str) -> list[list[str]]:
        """The word stream of each non-empty item of a weight."""
        return [words for item in self.items[weight] if (words := [word for run in item for word in run])]

    def extra_words(self, weight: str) -> list[str]:
        """This weight's in-word suffixes and cut-across dictionary words that are not already its words."""
        own = {word for words in self.words(weight) for word in words}
        frequencies = _dictionary()
        found: dict[str, None] = {}
        for item in self.items[weight]:
            for run in item:
                _add_extra_words(run, frequencies, found)
        return [word for word in found if word not in own]

    def as_text(self) -> str:
        """Readable form stored in Article.search_document: one line per weight, ' | ' between items."""
        return "\n".join(" | ".join(" ".join(words) for words in self.words(weight)) for weight in "ABC")

    def fts_row(self) -> tuple[str, ...]:
        """Column values for article_fts, in FTS_COLUMNS order."""
        breaker = f" {ITEM_BREAK} "
        main = [breaker.join(" ".join(words) for words in self.words(weight)) for weight in "ABC"]
        return (*main, *(" ".join(self.extra_words(weight)) for weight in "ABC"))

    def tsvector_text(self) -> str:
        """A tsvector literal: words at their positions, a gap between items, each extra word on its own."""
        positions: dict[str, list[str]] = {}
        position = 0

        def put(word: str, weight: str) -> None:
            positions.setdefault(word, []).append(f"{min(position, PG_MAX_POSITION)}{weight}")

        for weight in "ABC":
            for words in self.words(weight):
                position += 1  # the gap that keeps a phrase inside one item
                for word in words:
                    position += 1
                    put(word, weight)
        for weight in "ABC":
            for word in self.extra_words(weight):
                # Every other position: no extra word ever stands next to another, so phrases never use one.
                position += 2
                put(word, weight)
        return " ".join(f"{_lexeme(word)}:{','.join(found)}" for word, found in positions.items())


def index_document(article: Article, segmented: Mapping[str, Sequence[str]] | None = None) -> IndexedDocument:
    """Segment an article (bylines__reporter, tags, organisations__aliases prefetched); see update_search_index."""
    segmented = segmented or {}

    def field(name: str) -> list[list[str]]:
        return runs(getattr(article, name), segmented.get(name))

    names = [field("kicker"), field("subtitle")]
    names += [runs(tag.name) for tag in article.tags.all()]
    names += [runs(byline.reporter.name) for byline in article.bylines.all()]
    for organisation in article.organisations.all():
        names.append(runs(organisation.name))
        names += [runs(alias.name) for alias in organisation.aliases.all()]
    return IndexedDocument(items={"A": [field("title")], "B": names, "C": [field("dateline"), field("body")]})


def _batched(values: Iterable, size: int) -> Iterator[list]:
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch


def _index_batch(article_ids: list[int], segmented: Mapping[int, Mapping[str, Sequence[str]]]) -> int:
    articles = list(
        Article.objects.filter(pk__in=article_ids)
        .only("pk", "title", "kicker", "subtitle", "dateline", "body")
        .prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("reporter")),
            "tags",
            Prefetch("organisations", queryset=Organisation.objects.only("pk", "name").prefetch_related("aliases")),
        )
    )
    documents = [(article.pk, index_document(article, segmented.get(article.pk))) for article in articles]
    table = connection.ops.quote_name(Article._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            rows = [(doc.as_text(), doc.tsvector_text(), pk) for pk, doc in documents]
            if rows:
                cursor.executemany(
                    f"UPDATE {table} SET search_document = %s, search_vector = %s::tsvector WHERE id = %s", rows
                )
            return len(rows)
        if connection.vendor == "sqlite":
            _require_fts_table()
            marks = ", ".join(["%s"] * len(article_ids))
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", article_ids)
            if documents:
                columns = ", ".join(FTS_COLUMNS)
                values = ", ".join(["%s"] * (len(FTS_COLUMNS) + 1))
                cursor.executemany(
                    f"INSERT INTO {FTS_TABLE} (rowid, {columns}) VALUES ({values})",
                    [(pk, *doc.fts_row()) for pk, doc in documents],
                )
                cursor.executemany(
                    f"UPDATE {table} SET search_document = %s WHERE id = %s",
                    [(doc.as_text(), pk) for pk, doc in documents],
                )
            return len(documents)
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
    ensure_user_terms()
    return sum(_index_batch(batch, segmented or {}) for batch in _batched(ids, BATCH_SIZE))


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
