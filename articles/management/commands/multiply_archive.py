"""`manage.py multiply_archive --copies N`: an archive N+1 times as big, copied in SQL (PostgreSQL only).

Each copy repeats every issue and page, and every article with its index entry, bylines, tags and
organisations, ids shifted past the highest and dates shifted back by the archive's span times the copy's
number (so an issue of the copy holds as many articles as the original's), so that a
1,000,000-article search benchmark needs no import of a million pages. The search indexes are dropped during the
copy and built again at the end, and their build times and sizes are printed (docs/benchmarks.md).
"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from taggit.models import TaggedItem

from articles.models import Article, Byline, Issue, Page

# (index name, column): the search indexes, dropped during the copy and built again after it.
SEARCH_INDEXES = {
    "article_search_vector": "search_vector",
    "article_search_title": "search_title",
    "article_search_meta": "search_meta",
}


def _index_definition(name: str) -> str:
    return f"CREATE INDEX IF NOT EXISTS {name} ON {Article._meta.db_table} USING gin ({SEARCH_INDEXES[name]})"


def _columns(model, *, skip=("id",)) -> list[str]:
    quote = connection.ops.quote_name  # Byline has a column named "order"
    return [quote(field.column) for field in model._meta.concrete_fields if field.column not in skip]


def _highest(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        return cursor.fetchone()[0]


def _copy_rows(cursor, table: str, columns: list[str], *, key: str, highest: int, computed: dict[str, str], params):
    """INSERT … SELECT of the rows of `table` with `key` <= highest, the `computed` columns rewritten."""
    selected = ", ".join(computed.get(column, column) for column in columns)
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {selected} FROM {table} WHERE {key} <= %(highest)s",
        {**params, "highest": highest},
    )


def multiply(copies: int, log=print) -> dict:
    """Copy every issue, page and article `copies` times (ids and dates shifted); return counts, timings, sizes."""
    quote = connection.ops.quote_name
    issue_table, page_table, article_table = (quote(m._meta.db_table) for m in (Issue, Page, Article))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(id), min(published_at), max(published_at) FROM {article_table}")
        highest, earliest, latest = cursor.fetchone()
        cursor.execute(f"SELECT min(date), max(date) FROM {issue_table}")
        first_day, last_day = cursor.fetchone()
    if highest is None or earliest is None:
        raise CommandError("No published articles to copy: import an archive first.")
    # Copy k sits k spans of whole days before the original, so that its issues fall on other days than any
    # original's and its articles keep the time of day of theirs.
    days = (latest - earliest).days + 1
    if first_day is not None:
        days = max(days, (last_day - first_day).days + 1)
    span = datetime.timedelta(days=days)
    # Ids of copy k are the original's plus k * shift: readable and disjoint.
    highests = {"issue": _highest(issue_table), "page": _highest(page_table), "article": highest}
    shifts = {name: 10 ** len(str(value)) for name, value in highests.items()}
    # (table, columns, key column, whose ids the key holds, columns computed for the copy)
    plan = [
        (
            issue_table,
            _columns(Issue, skip=()),
            '"id"',
            "issue",
            {
                '"id"': "id + %(issue)s",
                '"date"': "date - %(span)s * %(copy)s",
                # the copy's new id: unique however often the archive is multiplied (a copy of a copy included)
                '"import_ref"': "left(import_ref, 60) || '~' || (id + %(issue)s)",
            },
        ),
        (
            page_table,
            _columns(Page, skip=()),
            '"id"',
            "page",
            {
                '"id"': "id + %(page)s",
                '"issue_id"': "issue_id + %(issue)s",
                '"import_ref"': "left(import_ref, 60) || '~' || (id + %(page)s)",
                # unique (64 characters at most): a hash of the original's and the copy's new id
                '"content_hash"': "md5(content_hash || '~' || (id + %(page)s))",
            },
        ),
        (
            article_table,
            _columns(Article, skip=("import_ref",)),
            '"id"',
            "article",
            {
                '"id"': "id + %(article)s",
                '"issue_id"': "issue_id + %(issue)s",
                '"page_id"': "page_id + %(page)s",
                '"continuation_id"': "continuation_id + %(article)s",
                '"published_at"': "published_at - %(span)s * %(copy)s",
            },
        ),
        (
            quote(Byline._meta.db_table),
            _columns(Byline),
            '"article_id"',
            "article",
            {'"article_id"': "article_id + %(article)s"},
        ),
        (
            quote(Article.organisations.through._meta.db_table),
            _columns(Article.organisations.through),
            '"article_id"',
            "article",
            {'"article_id"': "article_id + %(article)s"},
        ),
    ]
    tagged = TaggedItem._meta.db_table
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for name in SEARCH_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    try:
        for copy in range(1, copies + 1):
            params = {name: copy * shift for name, shift in shifts.items()} | {"span": span, "copy": copy}
            with transaction.atomic(), connection.cursor() as cursor:
                # Each table's rows of the original archive: those whose key (own id, or article id) is not a copy's.
                for table, columns, key, owner, computed in plan:
                    _copy_rows(
                        cursor, table, columns, key=key, highest=highests[owner], computed=computed, params=params
                    )
                cursor.execute(
                    f"INSERT INTO {tagged} (tag_id, content_type_id, object_id) "
                    f"SELECT tag_id, content_type_id, object_id + %(article)s FROM {tagged} "
                    f"WHERE object_id <= %(highest)s AND content_type_id = "
                    "(SELECT id FROM django_content_type WHERE app_label = 'articles' AND model = 'article')",
                    {**params, "highest": highest},
                )
            log(f"copy {copy}/{copies} written")
    except BaseException:
        with connection.cursor() as cursor:  # a failed copy rolled back: put the dropped indexes back
            for name in SEARCH_INDEXES:
                cursor.execute(_index_definition(name))
        raise
    copied = time.perf_counter() - started
    result = {"copies": copies, "copy_seconds": round(copied, 1), "indexes": {}}
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of the copies run now: CREATE INDEX refuses a table with pending ones.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model in (Issue, Page, Article):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        for name in SEARCH_INDEXES:
            start = time.perf_counter()
            cursor.execute(_index_definition(name))
            seconds = time.perf_counter() - start
            cursor.execute("SELECT pg_relation_size(%s::regclass)", [name])
            size = cursor.fetchone()[0]
            result["indexes"][name] = {"build_seconds": round(seconds, 1), "mb": round(size / 2**20, 1)}
            log(f"{name}: built in {seconds:.1f} s, {size / 2**20:.0f} MB")
        # VACUUM sets the visibility map the exact counts rely on; it cannot run inside a transaction (tests).
        cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM ANALYZE'} {article_table}")
        cursor.execute(f"SELECT count(*) FROM {article_table}")
        result["articles"] = cursor.fetchone()[0]
    return result


class Command(BaseCommand):
    help = "Copy every article N times in SQL, ids and dates shifted (PostgreSQL), for archive-scale benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--copies", type=int, required=True, help="copies to add (4: 200,000 become 1,000,000)")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("multiply_archive copies rows in PostgreSQL's SQL; DATABASE_URL is not PostgreSQL.")
        if options["copies"] < 1:
            raise CommandError("--copies must be at least 1", returncode=2)
        result = multiply(options["copies"], log=lambda line: self.stderr.write(line))
        self.stdout.write(f"{result['articles']} articles; copied in {result['copy_seconds']} s")
        for name, figures in result["indexes"].items():
            self.stdout.write(f"{name}: {figures['build_seconds']} s, {figures['mb']} MB")
