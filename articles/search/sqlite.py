"""SQLite backend: the FTS5 table article_fts (rowid = article id), its MATCH and bm25 expressions, its writes."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import BooleanField, F, Func, IntegerField, Value

from ..models import Article
from .query import SCORE_META, SCORE_TEXT, SCORE_TITLE, ParsedQuery, fts_match_parts

FTS_TABLE = "article_fts"
# Main token streams take phrases; *_sub hold the extra words (in-word suffixes, cut-across dictionary words)
# that single query words may match but phrases may not.
FTS_COLUMNS = ("title", "meta", "body", "title_sub", "meta_sub", "body_sub")
TITLE_COLUMNS = "title title_sub"
META_COLUMNS = "meta meta_sub"
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


class _Fts5Score(Func):
    """The rank, as postgres._Score: per word or phrase 5 in the headline, else 2 in a label or name, else 1."""

    output_field = IntegerField()

    def __init__(self, pk, parts: list[str]):
        super().__init__(pk)
        self.parts = parts

    def as_sql(self, compiler, connection, **extra_context):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        # Each IN list is an uncorrelated subquery, which SQLite builds once per statement.
        member = f"{pk_sql} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"
        cases = [
            f"(CASE WHEN {member} THEN {SCORE_TITLE} WHEN {member} THEN {SCORE_META} ELSE {SCORE_TEXT} END)"
            for _ in self.parts
        ]
        params = []
        for part in self.parts:
            # A column filter around a part narrows it (a phrase's own filter included) to those columns.
            params += [*pk_params, f"{{{TITLE_COLUMNS}}} : ({part})", *pk_params, f"{{{META_COLUMNS}}} : ({part})"]
        return "(" + " + ".join(cases) + ")", params


def search(queryset, query: ParsedQuery):
    """The hits of `query` in `queryset`, annotated with search_rank."""
    _require_fts_table()
    parts = fts_match_parts(query)
    text = Value(" AND ".join(parts))
    return queryset.filter(_Fts5Match(F("pk"), text)).annotate(search_rank=_Fts5Score(F("pk"), parts))


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
