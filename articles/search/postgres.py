"""PostgreSQL backend: the tsquery literal matched against Article.search_vector, its rank, and its writes."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import BooleanField, Func

from ..models import Article


class _TsQueryLiteral(SearchQuery):
    # The lexemes are ours already; to_tsquery would run PostgreSQL's parser and locale over them again.
    template = "(%(expressions)s)::tsquery"


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


def write_entries(rows: list[tuple[int, tuple[str, ...]]]) -> None:
    """Store search_document and search_vector of `rows` (pk, stored values) in one statement."""
    table = connection.ops.quote_name(Article._meta.db_table)
    # One statement for the whole batch, whatever its size.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS article SET search_document = new.document, search_vector = new.vector::tsvector "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS new (id, document, vector) "
            "WHERE article.id = new.id",
            [[pk for pk, _ in rows], [values[0] for _, values in rows], [values[1] for _, values in rows]],
        )
