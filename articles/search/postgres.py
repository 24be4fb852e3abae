"""PostgreSQL backend: tsquery matches on the article's vectors, the rank, the best hits, the count, the writes."""

from __future__ import annotations

import json
from contextlib import contextmanager, nullcontext

from django.db import connection, transaction
from django.db.models import BooleanField, F, Func, IntegerField

from .. import expressions
from ..models import Article
from .query import (
    SCORE_META,
    SCORE_TEXT,
    SCORE_TITLE,
    ParsedQuery,
    newest_first,
    tsquery_parts,
    whole_words_tsquery_text,
)

# search_title and search_meta are columns PostgreSQL derives from search_vector (migration
# 0007_search_head_vectors: ts_filter to weight A, and to weight B), each with a GIN index of its own. They are
# not model fields: nothing in Python reads or writes them, and a write of search_vector updates them.
TITLE, META, TEXT = "search_title", "search_meta", "search_vector"


class _Matches(Func):
    """`column @@ tsquery` on one of the article's vectors (or NOT …), the tsquery given as a literal."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, tsquery: str, *, negated: bool = False):
        super().__init__(F("search_vector"))
        self.column, self.tsquery, self.negated = column, tsquery, negated

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        # The derived columns sit beside search_vector in the same row, under the same table alias.
        column = sql[: -len('"search_vector"')] + f'"{self.column}"'
        # The lexemes are ours already; to_tsquery would run PostgreSQL's parser and locale over them again.
        sql = f"{column} @@ %s::tsquery"
        return (f"NOT ({sql})" if self.negated else sql), (*params, self.tsquery)


class _Score(Func):
    """The rank: per word or phrase, SCORE_TITLE if the headline holds it, else SCORE_META if a label or name
    does, else SCORE_TEXT (a hit holds it somewhere); summed."""

    output_field = IntegerField()

    def __init__(self, parts: list[str]):
        super().__init__(F("search_vector"))
        self.parts = parts

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        prefix = sql[: -len('"search_vector"')]
        cases = [
            f'(CASE WHEN {prefix}"{TITLE}" @@ %s::tsquery THEN {SCORE_TITLE} '
            f'WHEN {prefix}"{META}" @@ %s::tsquery THEN {SCORE_META} ELSE {SCORE_TEXT} END)'
            for _ in self.parts
        ]
        values = [value for part in self.parts for value in (part, part)]
        return "(" + " + ".join(cases) + ")", (*params, *values)


def search(queryset, query: ParsedQuery):
    """The hits of `query` in `queryset`, annotated with search_rank."""
    parts = tsquery_parts(query)
    return queryset.filter(_Matches(TEXT, " & ".join(parts))).annotate(search_rank=_Score(parts))


def _is_match(node) -> bool:
    node = getattr(node, "lhs", node)  # filter() wraps a conditional expression in Exact(…, True)
    return isinstance(node, _Matches) and node.column == TEXT and not node.negated


def _without_match(queryset):
    """The queryset without its search condition (every other filter kept), when that is a top-level AND."""
    clone = queryset.all()
    where = clone.query.where
    if where.connector == "AND" and not where.negated:
        where.children = [child for child in where.children if not _is_match(child)]
    return clone


@contextmanager
def bitmap_scans():
    """Within the block, PostgreSQL reads hits through GIN bitmaps, never by testing each row's search_vector."""
    # The planner does not charge for detoasting a 7 kB vector per row: when a third of the articles match,
    # it scans the table and tests each one (0.7 s at 20,000 articles for a count that a bitmap answers in 0.1 s
    # from the index and the heap pages alone). Local to the transaction, and put back after the block.
    nested = connection.in_atomic_block
    # Inside a transaction already, no savepoint: an error there aborts the transaction, settings and all.
    with nullcontext() if nested else transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
            "set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)"
        )
        seqscan, indexscan, _, _ = cursor.fetchone()
        yield
        # Else the settings end with the transaction this block commits.
        if nested:
            cursor.execute(
                "SELECT set_config('enable_seqscan', %s, true), set_config('enable_indexscan', %s, true)",
                [seqscan, indexscan],
            )


def whole_words(queryset, query: ParsedQuery):
    """The search queryset with each word of `query` matched whole: a subset of its hits."""
    return _without_match(queryset).filter(_Matches(TEXT, whole_words_tsquery_text(query)))


def _conditions(queryset) -> set | None:
    """(column, lookup, text value) of each top-level condition of `queryset`, or None when one is anything else."""
    where = queryset.query.where
    if where.connector != "AND" or where.negated:
        return None
    found = set()
    for child in where.children:
        column = getattr(getattr(child, "lhs", None), "target", None)
        if column is None:
            return None
        # The value too, but for the time (published() compares with now).
        value = child.rhs if isinstance(child.rhs, str) else None
        found.add((column.name, child.lookup_name, value))
    return found


def publication_time(queryset):
    """The time a plain search's published() compares with (is_plain_search), or None."""
    for child in queryset.query.where.children:
        column = getattr(getattr(child, "lhs", None), "target", None)
        if column is not None and column.name == "published_at" and child.lookup_name == "lte":
            return child.rhs
    return None


def is_plain_search(queryset) -> bool:
    """Whether `queryset` is Article.objects.published() narrowed by its search and nothing else."""
    return _conditions(_without_match(queryset)) == _conditions(Article.objects.published())


def among(queryset, ids: list[int]):
    """The search queryset narrowed to these of its hits, without testing its match again."""
    return expressions.among(_without_match(queryset), ids)


def best_ids(queryset, query: ParsedQuery, limit: int) -> list[int]:
    """Ids of the `limit` best-ranked hits of a search queryset, best first, exactly as ranking every hit by
    (search_rank, published_at, pk) would order them, in statements that read only the best tiers of hits."""
    # The hits fall in three tiers, each ranked above the next, each read with its own LIMIT:
    # 1. every word in the headline (the highest rank there is), newest first: through the small search_title
    #    GIN index, or the publication-time index testing each row's small search_title;
    # 2. one word: in a label (all rank SCORE_META), newest first; several: some word in the headline or a
    #    label, ranked in full (every other hit scores SCORE_TEXT per word);
    # 3. the rest, all of one rank, newest first.
    # A headline-only or label-only match implies the whole vector's (a sub-vector of it), so tiers that need
    # no other condition are read without the big vector's.
    parts = tsquery_parts(query)
    every = " & ".join(parts)
    base, full = _without_match(queryset), queryset
    if len(parts) == 1:
        part = parts[0]
        tiers = [
            base.filter(_Matches(TITLE, every)),
            base.filter(_Matches(META, part), _Matches(TITLE, part, negated=True)),
            full.filter(_Matches(TITLE, part, negated=True), _Matches(META, part, negated=True)),
        ]
        ranked = ()
    else:
        anywhere = " | ".join(f"({part})" for part in parts)
        tiers = [
            base.filter(_Matches(TITLE, every)),
            full.filter(_Matches(TITLE, every, negated=True)).filter(
                _Matches(TITLE, anywhere) | _Matches(META, anywhere)
            ),
            full.filter(_Matches(TITLE, anywhere, negated=True), _Matches(META, anywhere, negated=True)),
        ]
        ranked = (1,)
    # Tier by tier, each read only when the ones above it leave the page short: the tiers are ranked apart, so
    # a full page from a higher tier is the answer. (Read together, the planner walked the whole archive for a
    # lower tier it wrongly thought large: an organisation's name is in its articles' labels, never in text only.)
    found: list[int] = []
    for index, tier in enumerate(tiers):
        rest = limit - len(found)
        if not rest:
            break
        if index in ranked:
            # Ranked in full, so every row of the tier is read: through the GIN bitmaps of the headline and label
            # hits, never by the sequential scan the planner prefers (it does not charge for detoasting).
            ordered = tier.annotate(search_rank=_Score(parts)).order_by(F("search_rank").desc(), *newest_first())
            with bitmap_scans():
                found += ordered.values_list("pk", flat=True)[:rest]
        else:
            found += tier.order_by(*newest_first()).values_list("pk", flat=True)[:rest]
    return found


def estimated_rows(queryset) -> int:
    """The planner's estimate of how many rows `queryset` returns (planning only, nothing is read)."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def write_entries(rows: list[tuple[int, tuple[str, ...]]]) -> None:
    """Store search_document and search_vector of `rows` (pk, stored values) in one statement."""
    table = connection.ops.quote_name(Article._meta.db_table)
    # One statement for the whole batch, whatever its size; search_title and search_meta follow by themselves.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS article SET search_document = new.document, search_vector = new.vector::tsvector "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS new (id, document, vector) "
            "WHERE article.id = new.id",
            [[pk for pk, _ in rows], [values[0] for _, values in rows], [values[1] for _, values in rows]],
        )
