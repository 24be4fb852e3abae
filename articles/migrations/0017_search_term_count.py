"""Frequent search words' article counts (SearchTermCount) and the triggers that keep them: docs/search.md, "Counting"."""

from django.db import migrations, models

# PostgreSQL only: SQLite counts every search exactly (articles.search.counts) and never reads these rows.
# Statement triggers over the transition tables, so an import's batch INSERTs and the index writer's batch UPDATEs
# cost one pass each. A write changes the words it adds and removes, and only words that have a row.
LEXEMES = "unnest(tsvector_to_array({rows}.search_vector))"
CHANGED = "added a JOIN removed r ON r.id = a.id WHERE a.search_vector IS DISTINCT FROM r.search_vector"
WORDS = {
    "INSERT": f"SELECT {LEXEMES.format(rows='added')} AS lexeme, 1 AS change FROM added",
    "DELETE": f"SELECT {LEXEMES.format(rows='removed')} AS lexeme, -1 AS change FROM removed",
    "UPDATE": (
        f"SELECT {LEXEMES.format(rows='a')} AS lexeme, 1 AS change FROM {CHANGED} "
        f"UNION ALL SELECT {LEXEMES.format(rows='r')}, -1 FROM {CHANGED}"
    ),
}
EVENTS = {
    "INSERT": "REFERENCING NEW TABLE AS added",
    "DELETE": "REFERENCING OLD TABLE AS removed",
    "UPDATE": "REFERENCING OLD TABLE AS removed NEW TABLE AS added",
}


def _apply(words: str) -> str:
    return (
        "UPDATE articles_searchtermcount AS term SET articles = term.articles + counted.change "
        "FROM (SELECT words.lexeme, sum(words.change)::integer AS change "
        f"FROM ({words}) AS words JOIN articles_searchtermcount AS kept ON kept.lexeme = words.lexeme "
        "GROUP BY words.lexeme) AS counted "
        "WHERE term.lexeme = counted.lexeme AND counted.change <> 0"
    )


FUNCTION = f"""CREATE FUNCTION articles_search_term_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM articles_searchtermcount;
  ELSIF NOT EXISTS (SELECT 1 FROM articles_searchtermcount) THEN
    NULL;
  ELSIF TG_OP = 'INSERT' THEN
    {_apply(WORDS["INSERT"])};
  ELSIF TG_OP = 'DELETE' THEN
    {_apply(WORDS["DELETE"])};
  ELSE
    {_apply(WORDS["UPDATE"])};
  END IF;
  RETURN NULL;
END $$"""

TRIGGERS = [
    *(
        f"CREATE TRIGGER articles_search_terms_{event.lower()} AFTER {event} ON articles_article {referencing} "
        "FOR EACH STATEMENT EXECUTE FUNCTION articles_search_term_counts()"
        for event, referencing in EVENTS.items()
    ),
    "CREATE TRIGGER articles_search_terms_truncate AFTER TRUNCATE ON articles_article "
    "FOR EACH STATEMENT EXECUTE FUNCTION articles_search_term_counts()",
]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in (FUNCTION, *TRIGGERS):
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for event in (*EVENTS, "TRUNCATE"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS articles_search_terms_{event.lower()} ON articles_article")
        schema_editor.execute("DROP FUNCTION IF EXISTS articles_search_term_counts()")


class Migration(migrations.Migration):
    dependencies = [("articles", "0016_subject_listing_by_article")]

    operations = [
        migrations.CreateModel(
            name="SearchTermCount",
            fields=[
                ("lexeme", models.TextField(primary_key=True, serialize=False, verbose_name="词")),
                ("articles", models.IntegerField(verbose_name="文章数")),
            ],
            options={"verbose_name": "检索词文章数", "verbose_name_plural": "检索词文章数"},
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
