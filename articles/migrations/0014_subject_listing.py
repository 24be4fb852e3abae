"""The subject listing (SubjectListing) and the triggers that keep it: docs/site.md, "Subject pages"."""

import django.db.models.deletion
from django.db import migrations, models

from articles.migration_operations import AddIndexOnPostgres

# The listing is derived data. Triggers keep it equal to the link rows and the articles' publication, whatever
# writes them: the importer's bulk inserts, the admin, merges, taggit, raw SQL. On PostgreSQL the link tables'
# triggers run once per statement over its rows (an import inserts thousands of links in a few statements).

ARTICLE_TYPE = "(SELECT id FROM django_content_type WHERE app_label = 'articles' AND model = 'article')"
PUBLISHED_AT = "CASE WHEN a.status = 'published' THEN a.published_at END"

# link table, its kind of subject, its subject column, its article column, which of its rows are articles'
BYLINES = ("articles_byline", "reporter", "reporter_id", "article_id", "TRUE")
LINKS = [
    BYLINES,
    ("articles_article_organisations", "organisation", "organisation_id", "article_id", "TRUE"),
    ("taggit_taggeditem", "tag", "tag_id", "object_id", f"{{row}}.content_type_id = {ARTICLE_TYPE}"),
]
EVENTS = {
    "INSERT": "REFERENCING NEW TABLE AS added",
    "DELETE": "REFERENCING OLD TABLE AS removed",
    "UPDATE": "REFERENCING OLD TABLE AS removed NEW TABLE AS added",
}


# An article's rows follow its publication and its issue; an issue's date, its articles' rows.
ARTICLE_CHANGES = (
    "OLD.status IS DISTINCT FROM NEW.status OR OLD.published_at IS DISTINCT FROM NEW.published_at "
    "OR OLD.issue_id IS DISTINCT FROM NEW.issue_id"
)
ARTICLE_CHANGED = (
    "UPDATE articles_subjectlisting SET published_at = CASE WHEN NEW.status = 'published' THEN NEW.published_at END, "
    "issue_id = NEW.issue_id, issue_date = (SELECT date FROM articles_issue WHERE id = NEW.issue_id) "
    "WHERE article_id = NEW.id"
)
ARTICLE_DELETED = "DELETE FROM articles_subjectlisting WHERE article_id = OLD.id"
ISSUE_REDATED = (
    "UPDATE articles_subjectlisting SET issue_date = NEW.date "
    "WHERE article_id IN (SELECT id FROM articles_article WHERE issue_id = NEW.id)"
)


def _listed_as(link) -> list[tuple[str, str, str]]:
    """(kind, role, what must also hold to remove it) of the listing rows each link row makes."""
    table, kind, subject, article, _ = link
    if link is BYLINES:  # a credit lists the article under the person, and under the person in that role
        # The person's own row stays while another credit of theirs (another role) remains on the article.
        others = f"NOT EXISTS (SELECT 1 FROM {table} b WHERE b.{subject} = {{row}}.{subject} AND b.{article} = {{row}}.{article})"
        return [("reporter", "''", others), ("role", "{row}.role", "{listing}role = {row}.role")]
    return [(kind, "''", "TRUE")]


def _insert(link, *, row: str, source: str, postgres: bool) -> list[str]:
    """Add the listing rows of the link rows `row` (PostgreSQL: from the table `source`; SQLite: NEW)."""
    _, _, subject, article, condition = link
    verb, conflict = ("INSERT", " ON CONFLICT DO NOTHING") if postgres else ("INSERT OR IGNORE", "")
    issue = "LEFT JOIN articles_issue i ON i.id = a.issue_id"
    joined = (
        f"{source} JOIN articles_article a ON a.id = {row}.{article} {issue} WHERE"
        if postgres
        else f"articles_article a {issue} WHERE a.id = {row}.{article} AND"
    )
    return [
        f"{verb} INTO articles_subjectlisting (kind, subject_id, article_id, role, published_at, issue_id, issue_date) "
        f"SELECT '{kind}', {row}.{subject}, {row}.{article}, {role.format(row=row)}, {PUBLISHED_AT}, a.issue_id, i.date "
        f"FROM {joined} {condition.format(row=row)}{conflict}"
        for kind, role, _ in _listed_as(link)
    ]


def _delete(link, *, row: str, postgres: bool) -> list[str]:
    """Remove the listing rows of the removed link rows `row` (PostgreSQL: the table removed; SQLite: OLD)."""
    _, _, subject, article, condition = link
    table, listing = (
        ("articles_subjectlisting l USING removed r", "l.") if postgres else ("articles_subjectlisting", "")
    )
    return [
        f"DELETE FROM {table} WHERE {listing}kind = '{kind}' AND {listing}subject_id = {row}.{subject} "
        f"AND {listing}article_id = {row}.{article} AND {also.format(row=row, listing=listing)} "
        f"AND {condition.format(row=row)}"
        for kind, _, also in _listed_as(link)
    ]


def postgres_statements() -> list[str]:
    statements = []
    for link in LINKS:
        table, kind = link[0], link[1]
        removed = " ".join(f"{sql};" for sql in _delete(link, row="r", postgres=True))
        added = " ".join(f"{sql};" for sql in _insert(link, row="r", source="added r", postgres=True))
        statements.append(
            f"""CREATE FUNCTION articles_listing_{kind}_links() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP IN ('DELETE', 'UPDATE') THEN {removed} END IF;
              IF TG_OP IN ('INSERT', 'UPDATE') THEN {added} END IF;
              RETURN NULL;
            END $$"""
        )
        for event, referencing in EVENTS.items():
            statements.append(
                f"CREATE TRIGGER articles_listing_{kind}_{event.lower()} AFTER {event} ON {table} {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION articles_listing_{kind}_links()"
            )
    statements += [
        f"""CREATE FUNCTION articles_listing_article() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'DELETE' THEN {ARTICLE_DELETED}; ELSE {ARTICLE_CHANGED}; END IF;
          RETURN NULL;
        END $$""",
        # Row triggers with WHEN: the search index's batch UPDATEs of articles never call them.
        f"CREATE TRIGGER articles_listing_article_update AFTER UPDATE OF status, published_at, issue_id "
        f"ON articles_article FOR EACH ROW WHEN ({ARTICLE_CHANGES}) EXECUTE FUNCTION articles_listing_article()",
        "CREATE TRIGGER articles_listing_article_delete AFTER DELETE ON articles_article "
        "FOR EACH ROW EXECUTE FUNCTION articles_listing_article()",
        f"""CREATE FUNCTION articles_listing_issue() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN {ISSUE_REDATED}; RETURN NULL; END $$""",
        "CREATE TRIGGER articles_listing_issue_update AFTER UPDATE OF date ON articles_issue "
        "FOR EACH ROW WHEN (OLD.date IS DISTINCT FROM NEW.date) EXECUTE FUNCTION articles_listing_issue()",
    ]
    return statements


def sqlite_statements() -> list[str]:
    statements = []
    for link in LINKS:
        table, kind, subject, article, _ = link
        added = " ".join(f"{sql};" for sql in _insert(link, row="NEW", source="", postgres=False))
        removed = " ".join(f"{sql};" for sql in _delete(link, row="OLD", postgres=False))
        columns = f"{subject}, {article}" + (
            ", role" if link is BYLINES else ", content_type_id" if kind == "tag" else ""
        )
        statements += [
            f"CREATE TRIGGER articles_listing_{kind}_insert AFTER INSERT ON {table} BEGIN {added} END",
            f"CREATE TRIGGER articles_listing_{kind}_delete AFTER DELETE ON {table} BEGIN {removed} END",
            f"CREATE TRIGGER articles_listing_{kind}_update AFTER UPDATE OF {columns} ON {table} BEGIN {removed} {added} END",
        ]
    statements += [
        f"CREATE TRIGGER articles_listing_article_update AFTER UPDATE OF status, published_at, issue_id "
        f"ON articles_article WHEN {ARTICLE_CHANGES.replace('IS DISTINCT FROM', 'IS NOT')} "
        f"BEGIN {ARTICLE_CHANGED}; END",
        f"CREATE TRIGGER articles_listing_article_delete AFTER DELETE ON articles_article BEGIN {ARTICLE_DELETED}; END",
        "CREATE TRIGGER articles_listing_issue_update AFTER UPDATE OF date ON articles_issue "
        f"WHEN OLD.date IS NOT NEW.date BEGIN {ISSUE_REDATED}; END",
    ]
    return statements


def backfill_statements() -> list[str]:
    """The listing of what is there already (SQLite 3.24+ reads ON CONFLICT too)."""
    return [sql for link in LINKS for sql in _insert(link, row="r", source=f"{link[0]} r", postgres=True)]


def create_triggers(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in (postgres_statements() if postgres else sqlite_statements()) + backfill_statements():
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for link in LINKS:
        for event in EVENTS:
            name = f"articles_listing_{link[1]}_{event.lower()}"
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {link[0]}" if postgres else ""))
        if postgres:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS articles_listing_{link[1]}_links()")
    for name, table in [
        ("articles_listing_article_update", "articles_article"),
        ("articles_listing_article_delete", "articles_article"),
        ("articles_listing_issue_update", "articles_issue"),
    ]:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
    if postgres:
        schema_editor.execute("DROP FUNCTION IF EXISTS articles_listing_article()")
        schema_editor.execute("DROP FUNCTION IF EXISTS articles_listing_issue()")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_kind_index"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.CreateModel(
            name="SubjectListing",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("reporter", "记者"),
                            ("role", "记者（角色）"),
                            ("organisation", "组织"),
                            ("tag", "标签"),
                        ],
                        max_length=12,
                    ),
                ),
                ("subject_id", models.BigIntegerField()),
                ("role", models.CharField(blank=True, default="", max_length=20)),
                ("published_at", models.DateTimeField(null=True)),
                ("issue_date", models.DateField(null=True)),
                (
                    "issue",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="articles.issue",
                    ),
                ),
                (
                    "article",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="articles.article",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["kind", "subject_id", "published_at", "article", "role"], name="subject_listing_time"
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "subject_id", "article", "role"), name="subject_listing_unique"
                    )
                ],
            },
        ),
        # SQLite takes no NULLS LAST in an index; its lists are small.
        AddIndexOnPostgres(
            model_name="subjectlisting",
            index=models.Index(
                models.F("kind"),
                models.F("subject_id"),
                models.OrderBy(models.F("issue_date"), descending=True, nulls_last=True),
                models.OrderBy(models.F("issue"), descending=True),
                models.F("published_at"),
                name="subject_listing_issue",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
