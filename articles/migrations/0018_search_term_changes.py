"""The triggers append changes (SearchTermChange) instead of updating the kept counts: docs/search.md, "Counting".

Updating a kept word's count row locked it until the writer's transaction committed, so writers naming the same
common words waited for each other, and two that locked rows in different orders could deadlock. Appended rows
lock nothing that another writer needs; the changes are folded into the counts by term_counts.fold_changes().
"""

import importlib

from django.db import migrations, models

BEFORE = importlib.import_module("articles.migrations.0017_search_term_count")


def _append(words: str) -> str:
    return (
        "INSERT INTO articles_searchtermchange (lexeme, change) "
        "SELECT words.lexeme, sum(words.change)::integer "
        f"FROM ({words}) AS words JOIN articles_searchtermcount AS kept ON kept.lexeme = words.lexeme "
        "GROUP BY words.lexeme HAVING sum(words.change) <> 0"
    )


# Held shared by every writing transaction until it commits; term_counts.record takes it alone, so no write is
# under way while it counts and none can append before its row exists (articles.search.term_counts.WRITES_LOCK).
WRITES_LOCK = 7_172_735_401

FUNCTION = f"""CREATE OR REPLACE FUNCTION articles_search_term_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared({WRITES_LOCK});
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM articles_searchtermchange;
    DELETE FROM articles_searchtermcount;
  ELSIF NOT EXISTS (SELECT 1 FROM articles_searchtermcount) THEN
    NULL;
  ELSIF TG_OP = 'INSERT' THEN
    {_append(BEFORE.WORDS["INSERT"])};
  ELSIF TG_OP = 'DELETE' THEN
    {_append(BEFORE.WORDS["DELETE"])};
  ELSE
    {_append(BEFORE.WORDS["UPDATE"])};
  END IF;
  RETURN NULL;
END $$"""


def append_changes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def update_counts(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE articles_searchtermcount AS kept SET articles = kept.articles + folded.change "
            "FROM (SELECT lexeme, sum(change)::integer AS change FROM articles_searchtermchange GROUP BY lexeme) "
            "AS folded WHERE kept.lexeme = folded.lexeme"
        )
        schema_editor.execute(BEFORE.FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))


class Migration(migrations.Migration):
    dependencies = [("articles", "0017_search_term_count")]

    operations = [
        migrations.CreateModel(
            name="SearchTermChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("lexeme", models.TextField(verbose_name="词")),
                ("change", models.IntegerField(verbose_name="增减")),
            ],
            options={
                "verbose_name": "检索词文章数变化",
                "verbose_name_plural": "检索词文章数变化",
                "indexes": [models.Index(fields=["lexeme"], name="search_term_change_lexeme")],
            },
        ),
        migrations.RunPython(append_changes, update_counts, elidable=False),
    ]
