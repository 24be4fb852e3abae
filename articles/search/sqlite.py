"""SQLite backend: the FTS5 table article_fts (rowid = article id), its MATCH and bm25 expressions, its writes."""

from __future__ import annotations

import sqlite3

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import BooleanField, FloatField, Func

from ..models import Article

FTS_TABLE = "article_fts"
# Main token streams take phrases; *_sub hold the extra words (in-word suffixes, cut-across dictionary words)
# that single query words may match but phrases may not.
FTS_COLUMNS = ("title", "meta", "body", "title_sub", "meta_sub", "body_sub")
# bm25 weights in the ratio of ts_rank's defaults for A, B and C (1.0, 0.4, 0.2).
FTS_WEIGHTS = (5.0, 2.0, 1.0, 5.0, 2.0, 1.0)
FTS_HIT_LIKELIHOOD = 0.05


class SearchIndexMissing(ImproperlyConfigured):
    """The SQLite database has no full-text table (it predates migration articles 0003)."""


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


def write_entries(rows: list[tuple[int, tuple[str, ...]]], ids: list[int]) -> None:
    """Replace the FTS rows of `ids` with `rows` (pk, stored values) and store their search_document."""
    table = connection.ops.quote_name(Article._meta.db_table)
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


def drop_orphan_rows() -> None:
    """Remove FTS rows of articles deleted while the triggers were off (or before they existed)."""
    table = connection.ops.quote_name(Article._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid NOT IN (SELECT id FROM {table})")
