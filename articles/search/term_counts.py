"""Kept article counts of frequent search words (PostgreSQL): proof that a search is past EXACT_COUNT_LIMIT."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection, transaction

from ..locks import WRITES_LOCK
from ..models import Article, SearchTermChange, SearchTermCount

logger = logging.getLogger(__name__)

# A word's count is recorded up to this many articles: enough to prove a search past the exact limit while as many
# articles again are unpublished, and a bound on what recording costs.
RECORD_LIMIT = 30_000


def kept_count(word: str) -> int | None:
    """The kept count of articles that hold `word` whole (its row and the changes not folded in), or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT kept.articles + COALESCE((SELECT sum(change) FROM {_CHANGES} WHERE lexeme = kept.lexeme), 0) "
            f"FROM {_COUNTS} AS kept WHERE kept.lexeme = %s",
            [word],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def fold_changes() -> None:
    """Add the triggers' appended changes into the kept counts and remove them, in one statement."""
    # Rows appended meanwhile are not in this statement's snapshot: they stay for the next fold. Two folds at
    # once: the second skips the rows the first deleted.
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH folded AS (DELETE FROM {_CHANGES} RETURNING lexeme, change), "
            "summed AS (SELECT lexeme, sum(change)::integer AS change FROM folded GROUP BY lexeme) "
            f"UPDATE {_COUNTS} AS kept SET articles = kept.articles + summed.change FROM summed "
            "WHERE kept.lexeme = summed.lexeme"
        )


def published_at_least(kept: int, past: int, now=None) -> int:
    """How many articles published by `now` at least hold a word whose kept count is `kept`; 0 unless over `past`."""
    # Every article the word is in is published, but for those unpublished() finds: kept minus those is a floor.
    spare = kept - past
    if spare <= 0:
        return 0
    hidden = Article.objects.unpublished(now).order_by()[:spare].count()
    return kept - hidden if hidden < spare else 0


def record(word: str) -> int | None:
    """Count the articles holding `word` whole (up to RECORD_LIMIT) and keep the figure; None while writers are busy."""
    # The triggers keep a row right from the moment it exists: the count is taken while no write to the articles is
    # under way, and a write that starts meanwhile waits for the row (its trigger takes WRITES_LOCK shared). An
    # advisory lock, not LOCK TABLE: autovacuum's lock on the table would refuse that one.
    from .postgres import bitmap_scans

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [WRITES_LOCK])
            if not cursor.fetchone()[0]:
                return None
            with bitmap_scans():
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT FROM {Article._meta.db_table} "
                    "WHERE search_vector @@ %s::tsquery LIMIT %s) AS hits",
                    [_whole(word), RECORD_LIMIT],
                )
                (articles,) = cursor.fetchone()
            cursor.execute(f"DELETE FROM {_CHANGES} WHERE lexeme = %s", [word])  # the count holds them now
            cursor.execute(
                f"INSERT INTO {_COUNTS} (lexeme, articles) VALUES (%s, %s) "
                "ON CONFLICT (lexeme) DO UPDATE SET articles = EXCLUDED.articles",
                [word, articles],
            )
    except DatabaseError as error:
        # Recording is a saving for later searches, never a reason for this one to fail (a read-only replica, a
        # statement timeout): the page already has its count.
        logger.warning("search term count for %r not recorded: %s", word, error)
        return None
    return articles


_COUNTS = SearchTermCount._meta.db_table
_CHANGES = SearchTermChange._meta.db_table


def _whole(word: str) -> str:
    from .query import ParsedQuery, whole_words_tsquery_text

    return whole_words_tsquery_text(ParsedQuery(terms=(word,)))
