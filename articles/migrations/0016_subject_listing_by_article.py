"""The listing indexed by article, kind and subject: every list's facets are counted from this index alone."""

import django.db.models.deletion
from django.db import migrations, models

# The index Django made for the column in 0014 (the same name on every database).
ARTICLE_INDEX = "articles_subjectlisting_article_id_12f068c6"


class Migration(migrations.Migration):
    dependencies = [("articles", "0015_subject_listing_time_covers_issue_date")]

    operations = [
        migrations.AddIndex(
            model_name="subjectlisting",
            index=models.Index(fields=["article", "kind", "subject_id"], name="subject_listing_article"),
        ),
        # The new index starts with the article: the column's own index only cost writes. Dropped by name, as
        # AlterField would rebuild the table on SQLite, under the triggers of the tables that write it.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {ARTICLE_INDEX}",
                    reverse_sql=f"CREATE INDEX {ARTICLE_INDEX} ON articles_subjectlisting (article_id)",
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="subjectlisting",
                    name="article",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="articles.article",
                    ),
                )
            ],
        ),
    ]
