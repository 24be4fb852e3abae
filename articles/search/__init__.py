"""Chinese full-text search over articles, the same on PostgreSQL and SQLite (see docs/search.md)."""

# PostgreSQL keeps a weighted tsvector in Article.search_vector behind a GIN index; SQLite keeps an FTS5 table,
# article_fts, whose rowid is the article id. Only writer.py writes either (update_search_index, index_articles).
# This package re-exports what the rest of the project uses: `from articles import search; search.…`.

from .counts import EXACT_COUNT_LIMIT, SearchCount, SearchPaginator, count_hits, count_matches
from .documents import IndexedDocument, IndexSource, PreparedEntry, index_document
from .highlight import excerpt, highlight
from .query import MAX_QUERY_CHARS, MAX_QUERY_TOKENS, ParsedQuery, fts_match_text, parse_query, tsquery_text
from .ranking import RELEVANCE_DEPTH, order_by_relevance, search_articles
from .sqlite import FTS_COLUMNS, FTS_TABLE, SearchIndexMissing
from .term_counts import fold_changes as fold_term_changes
from .terms import ensure_user_terms, forget_user_terms, runs, tokens
from .writer import (
    BATCH_SIZE,
    entries_in_row,
    index_articles,
    index_updates_deferred,
    mark_indexed,
    prepare_entries,
    rebuild_search_index,
    schedule_reindex,
    update_search_index,
    updates_deferred,
)

__all__ = [
    "BATCH_SIZE",
    "EXACT_COUNT_LIMIT",
    "RELEVANCE_DEPTH",
    "FTS_COLUMNS",
    "FTS_TABLE",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_TOKENS",
    "IndexSource",
    "IndexedDocument",
    "ParsedQuery",
    "PreparedEntry",
    "SearchCount",
    "SearchIndexMissing",
    "SearchPaginator",
    "count_hits",
    "count_matches",
    "ensure_user_terms",
    "entries_in_row",
    "excerpt",
    "fold_term_changes",
    "forget_user_terms",
    "fts_match_text",
    "highlight",
    "index_articles",
    "index_document",
    "index_updates_deferred",
    "mark_indexed",
    "order_by_relevance",
    "parse_query",
    "prepare_entries",
    "rebuild_search_index",
    "runs",
    "schedule_reindex",
    "search_articles",
    "tokens",
    "tsquery_text",
    "update_search_index",
    "updates_deferred",
]
