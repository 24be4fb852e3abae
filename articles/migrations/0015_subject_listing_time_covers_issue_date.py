"""The listing's time index also carries the issue date, so a subject page's facet scope is read from the index."""

from django.db import migrations

COVERING = (
    "DROP INDEX IF EXISTS subject_listing_time;"
    " CREATE INDEX subject_listing_time ON articles_subjectlisting"
    " (kind, subject_id, published_at, article_id, role) INCLUDE (issue_date)"
)
PLAIN = (
    "DROP INDEX IF EXISTS subject_listing_time;"
    " CREATE INDEX subject_listing_time ON articles_subjectlisting (kind, subject_id, published_at, article_id, role)"
)


def _on_postgres(sql):
    def run(apps, schema_editor):
        # SQLite has no INCLUDE; Django's Index(include=...) would warn there (models.W040), so the state keeps
        # the index as 0014 declared it and only PostgreSQL's copy carries the extra column.
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("articles", "0014_subject_listing")]

    operations = [migrations.RunPython(_on_postgres(COVERING), _on_postgres(PLAIN), elidable=False)]
