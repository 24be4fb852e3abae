"""Kept article counts of frequent search words (PostgreSQL): proof that a search is past EXACT_COUNT_LIMIT."""

from __future__ import annotations

from django.db import OperationalError, connection, transaction

from ..models import Article, SearchTermCount

# A word's count is recorded up to this many articles: enough to prove a search past the exact limit while as many
# articles again are unpublished, and a bound on what recording costs.
RECORD_LIMIT = 30_000
LOCK_NOT_AVAILABLE = "55P03"


def kept_count(word: str) -> int | None:
    """The kept count of articles that hold `word` whole, or None when none is kept."""
    return SearchTermCount.objects.filter(lexeme=word).values_list("articles", flat=True).first()


def published_at_least(kept: int, past: int) -> int:
    """How many published articles at least hold a word whose kept count is `kept`; 0 unless it is over `past`."""
    # Every article the word is in is published, but for those unpublished() finds: kept minus those is a floor.
    spare = kept - past
    if spare <= 0:
        return 0
    hidden = Article.objects.unpublished().order_by()[:spare].count()
    return kept - hidden if hidden < spare else 0


def record(word: str) -> int | None:
    """Count the articles holding `word` whole (up to RECORD_LIMIT) and keep the figure; None while writers are busy."""
    # The triggers keep a row right from the moment it exists: the count is taken while no write to the articles
    # can start or be under way (a SHARE lock, not waited for), so no write falls between the count and the row.
    from .postgres import bitmap_scans

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Article._meta.db_table} IN SHARE MODE NOWAIT")
            with bitmap_scans():
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT FROM {Article._meta.db_table} "
                    "WHERE search_vector @@ %s::tsquery LIMIT %s) AS hits",
                    [_whole(word), RECORD_LIMIT],
                )
                (articles,) = cursor.fetchone()
            cursor.execute(
                f"INSERT INTO {SearchTermCount._meta.db_table} (lexeme, articles) VALUES (%s, %s) "
                "ON CONFLICT (lexeme) DO UPDATE SET articles = EXCLUDED.articles",
                [word, articles],
            )
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            return None
        raise
    return articles


def _whole(word: str) -> str:
    from .query import ParsedQuery, whole_words_tsquery_text

    return whole_words_tsquery_text(ParsedQuery(terms=(word,)))
