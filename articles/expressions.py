"""SQL expressions the ORM lacks, shared by the lists and the search backends."""

from __future__ import annotations

import json

from django.db.models import BooleanField, F, Func


class PkAmong(Func):
    """pk among a list of ids as one parameter, where pk__in would send and parse one placeholder per id."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, pk, *, ids):
        super().__init__(pk)
        self.ids = [int(pk) for pk in ids]

    def as_sql(self, compiler, connection, **extra_context):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        # One text literal: psycopg's list dumper checks each element of a Python list, for every statement.
        return f"{pk_sql} = ANY(%s::bigint[])", (*pk_params, "{" + ",".join(map(str, self.ids)) + "}")

    def as_sqlite(self, compiler, connection, **extra_context):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        return f"{pk_sql} IN (SELECT value FROM json_each(%s))", (*pk_params, json.dumps(self.ids))


def among(queryset, ids):
    """`queryset` narrowed to the rows whose pk is in `ids`, sent as one parameter."""
    return queryset.filter(PkAmong(F("pk"), ids=ids))
