"""The SQLite full-text table behind search (FTS5); PostgreSQL keeps Article.search_vector instead."""

from django.db import OperationalError, migrations

# Frozen here on purpose: a later change of columns is a new migration, not an edit of this one.
CREATE_SQL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS article_fts USING fts5("
    "title, meta, body, title_sub, meta_sub, body_sub, "
    "tokenize = 'unicode61 remove_diacritics 0')"
)
DROP_SQL = "DROP TABLE IF EXISTS article_fts"


def create_fts_table(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    try:
        schema_editor.execute(CREATE_SQL)
    except OperationalError as error:
        raise RuntimeError(f"Article search needs SQLite's FTS5 extension: {error}") from error


def drop_fts_table(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_editorial_groups")]

    operations = [migrations.RunPython(create_fts_table, drop_fts_table)]
