"""Indexes that let related_articles read the articles nearest to one on a tag or organisation (articles/related.py).

taggit's table and the organisations link table belong to no model of this app that could declare them in
Meta.indexes, so they are created in SQL that PostgreSQL and SQLite both accept.
"""

from django.db import migrations

INDEXES = [
    ("articles_tagged_neighbours_idx", "taggit_taggeditem", "content_type_id, tag_id, object_id"),
    ("articles_org_link_neighbours_idx", "articles_article_organisations", "organisation_id, article_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_content_version"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, columns in INDEXES
    ]
