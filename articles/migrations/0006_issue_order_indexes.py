"""The issue-order indexes; SQLite cannot build an index with NULLS LAST, and its archives are small."""

from django.db import migrations, models

import articles.migration_operations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_link_neighbour_indexes"),
    ]

    operations = [
        articles.migration_operations.AddIndexOnPostgres(
            model_name="issue",
            index=models.Index(
                models.OrderBy(models.F("date"), descending=True, nulls_last=True),
                models.OrderBy(models.F("id"), descending=True),
                name="issue_newest_first",
            ),
        ),
        articles.migration_operations.AddIndexOnPostgres(
            model_name="issue",
            index=models.Index(
                models.OrderBy(models.F("date"), nulls_last=True),
                models.OrderBy(models.F("id")),
                name="issue_oldest_first",
            ),
        ),
    ]
