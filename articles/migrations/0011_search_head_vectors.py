"""PostgreSQL: the headline's and the labels' own vectors, derived from search_vector, each GIN-indexed.

They let a search rank every hit while reading only its best tiers (docs/search.md, "Ranking every hit").
SQLite's FTS5 table has these fields as columns already.
"""

from django.db import migrations

# Frozen here on purpose: a later change is a new migration, not an edit of this one.
FORWARD = [
    "ALTER TABLE articles_article ADD COLUMN search_title tsvector "
    "GENERATED ALWAYS AS (ts_filter(search_vector, '{a}')) STORED",
    "ALTER TABLE articles_article ADD COLUMN search_meta tsvector "
    "GENERATED ALWAYS AS (ts_filter(search_vector, '{b}')) STORED",
    "CREATE INDEX article_search_title ON articles_article USING gin (search_title)",
    "CREATE INDEX article_search_meta ON articles_article USING gin (search_meta)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS article_search_meta",
    "DROP INDEX IF EXISTS article_search_title",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_meta",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_title",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_photos_images_importjobs")]

    operations = [migrations.RunPython(forward, backward)]
