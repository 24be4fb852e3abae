"""`manage.py multiply_archive --copies N`: an archive N+1 times as big, copied in SQL (PostgreSQL only).

Each copy repeats every article with its index entry, bylines, tags and organisations, its id shifted past the
highest id and its publication time shifted back by the archive's span times the copy's number, so that a
1,000,000-article search benchmark needs no import of a million pages. The search indexes are dropped during the
copy and built again at the end, and their build times and sizes are printed (docs/benchmarks.md).
"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from taggit.models import TaggedItem

from articles.models import Article, Byline

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


def multiply(copies: int, log=print) -> dict:
    """Copy every article `copies` times (ids and dates shifted); return counts, timings and index sizes."""
    article_table = Article._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(id), min(published_at), max(published_at) FROM {article_table}")
        highest, earliest, latest = cursor.fetchone()
    if highest is None or earliest is None:
        raise CommandError("No published articles to copy: import an archive first.")
    shift = 10 ** len(str(highest))  # ids of copy k are the original's plus k * shift: readable and disjoint
    span = latest - earliest + datetime.timedelta(days=1)
    article_columns = _columns(Article, skip=("id", "import_ref"))
    links = [
        (Byline._meta.db_table, _columns(Byline), '"article_id"'),
        (Article.organisations.through._meta.db_table, _columns(Article.organisations.through), '"article_id"'),
    ]
    tagged = TaggedItem._meta.db_table
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for name in SEARCH_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    try:
        for copy in range(1, copies + 1):
            with transaction.atomic(), connection.cursor() as cursor:
                values = ", ".join(
                    f"published_at - %(span)s * {copy}" if column == '"published_at"' else column
                    for column in article_columns
                )
                cursor.execute(
                    f"INSERT INTO {article_table} (id, {', '.join(article_columns)}) "
                    f"SELECT id + %(offset)s, {values} FROM {article_table} WHERE id <= %(highest)s",
                    {"offset": copy * shift, "span": span, "highest": highest},
                )
                for table, columns, key in links:
                    selected = ", ".join(f"{column} + %(offset)s" if column == key else column for column in columns)
                    cursor.execute(
                        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {selected} FROM {table} "
                        f"WHERE {key} <= %(highest)s",
                        {"offset": copy * shift, "highest": highest},
                    )
                cursor.execute(
                    f"INSERT INTO {tagged} (tag_id, content_type_id, object_id) "
                    f"SELECT tag_id, content_type_id, object_id + %(offset)s FROM {tagged} "
                    f"WHERE object_id <= %(highest)s AND content_type_id = "
                    "(SELECT id FROM django_content_type WHERE app_label = 'articles' AND model = 'article')",
                    {"offset": copy * shift, "highest": highest},
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
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{article_table}', 'id'), (SELECT max(id) FROM {article_table}))"
        )
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
