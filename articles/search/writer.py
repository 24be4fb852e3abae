"""The one writer of the search index, and the deferred updates the triggers in signals.py queue."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from ..models import Article, Byline, Organisation
from . import postgres, sqlite, term_counts
from .documents import IndexSource, PreparedEntry, _document, _jieba_state, _ready_dictionary, _stored_values
from .terms import ensure_user_terms

BATCH_SIZE = 500


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


def _write(sources: list[IndexSource], ids: list[int]) -> int:
    """Build and store the index entries of these sources; `ids` = every id asked for (the FTS rows to drop)."""
    _fill_prepared(sources)
    rows = [(source.pk, source.prepared) for source in sources]
    if connection.vendor == "postgresql":
        if rows:
            postgres.write_entries(rows)
        return len(rows)
    if connection.vendor == "sqlite":
        sqlite.write_entries(rows, ids)
        return len(rows)
    raise ImproperlyConfigured(f"Full-text search supports PostgreSQL and SQLite, not {connection.vendor}.")


def _check_backend() -> None:
    if connection.vendor == "sqlite":
        sqlite._require_fts_table()
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


def prepare_entries(sources: list[IndexSource], ahead: Sequence[PreparedEntry | None] = ()) -> int:
    """Work out each source's stored values now (IndexSource.prepared), reading organisations by id in one query.

    `ahead` holds, position by position, entries built before (in the import's parse workers); one is used when
    its fingerprint says it was built from the same texts and names, the rest are built here. Returns how many
    were built here. The importer calls this before it inserts the articles, puts the values in their rows on
    PostgreSQL (entries_in_row), and then passes the sources to index_articles, which writes only what is not
    stored yet.
    """
    _check_backend()
    _resolve_organisations(sources)
    for source, entry in zip(sources, ahead, strict=False):
        if entry is not None and source.prepared is None and entry.fingerprint == source.fingerprint():
            source.prepared = entry.values
    missing = sum(1 for source in sources if source.prepared is None)
    if missing:
        ensure_user_terms()
        _fill_prepared(sources)
    return missing


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
        sqlite.drop_orphan_rows()
    term_counts.fold_changes()
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
        # Through the package, so that a test replacing search.update_search_index sees the triggers' calls.
        from articles import search

        search.update_search_index(ids)


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
def index_updates_deferred(*, propagate: bool = True) -> Iterator[set[int]]:
    """Switch the triggers off in this thread; yields the ids they would have queued, for one update at the end.

    Nested, the ids also go to the enclosing block, unless propagate=False: the caller then takes them over.
    """
    outer = getattr(_local, "deferred", None)
    collected: set[int] = set()
    _local.deferred = collected
    try:
        yield collected
    finally:
        _local.deferred = outer
        if outer is not None and propagate:
            outer.update(collected)
