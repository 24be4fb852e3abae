"""Kept facet counts of subject pages (SubjectFacets) and the triggers that mark them stale: docs/site.md, "Kept facets".

PostgreSQL only: elsewhere the subject pages count their facets on every render and never read these rows.
"""

from django.db import migrations, models

# Held shared by every writing transaction until it commits (as in migration 0018): subject_facets.record takes it
# alone, so no write is under way while it counts, and a write that starts meanwhile sees the recorded row.
WRITES_LOCK = 7_172_735_401

# A subject's facets count the subjects of its newest articles: a listing row that comes, goes or changes (an
# article published, redated, tagged…) makes stale the kept facets of its own subject and of every other subject
# of its article. Roles are not counted by the facets. Marks are appended, never updated, and only for subjects
# that have kept facets and no mark yet.
MARK = """
WITH changed AS (SELECT article_id, kind, subject_id FROM {rows} WHERE kind <> 'role'),
touched AS (
  SELECT kind, subject_id FROM changed
  UNION
  SELECT l.kind, l.subject_id FROM articles_subjectlisting l
  WHERE l.article_id IN (SELECT article_id FROM changed) AND l.kind <> 'role'
)
INSERT INTO articles_subjectfacetschange (kind, subject_id)
SELECT kept.kind, kept.subject_id FROM touched JOIN articles_subjectfacets kept
  ON kept.kind = touched.kind AND kept.subject_id = touched.subject_id
WHERE NOT EXISTS (
  SELECT 1 FROM articles_subjectfacetschange mark WHERE mark.kind = kept.kind AND mark.subject_id = kept.subject_id
)"""

FUNCTION = f"""CREATE FUNCTION articles_subject_facets_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared({WRITES_LOCK});
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM articles_subjectfacetschange;
    DELETE FROM articles_subjectfacets;
  ELSIF NOT EXISTS (SELECT 1 FROM articles_subjectfacets) THEN
    NULL;
  ELSIF TG_OP = 'INSERT' THEN
    {MARK.format(rows="added")};
  ELSIF TG_OP = 'DELETE' THEN
    {MARK.format(rows="removed")};
  ELSE
    {MARK.format(rows="(SELECT * FROM added UNION ALL SELECT * FROM removed) AS both_versions")};
  END IF;
  RETURN NULL;
END $$"""

EVENTS = {
    "INSERT": "REFERENCING NEW TABLE AS added",
    "DELETE": "REFERENCING OLD TABLE AS removed",
    "UPDATE": "REFERENCING OLD TABLE AS removed NEW TABLE AS added",
}


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for event, referencing in EVENTS.items():
        schema_editor.execute(
            f"CREATE TRIGGER articles_subject_facets_{event.lower()} AFTER {event} ON articles_subjectlisting "
            f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION articles_subject_facets_changes()"
        )
    schema_editor.execute(
        "CREATE TRIGGER articles_subject_facets_truncate AFTER TRUNCATE ON articles_subjectlisting "
        "FOR EACH STATEMENT EXECUTE FUNCTION articles_subject_facets_changes()"
    )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for event in (*EVENTS, "TRUNCATE"):
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS articles_subject_facets_{event.lower()} ON articles_subjectlisting"
        )
    schema_editor.execute("DROP FUNCTION IF EXISTS articles_subject_facets_changes()")


KINDS = [("reporter", "记者"), ("role", "记者（角色）"), ("organisation", "组织"), ("tag", "标签")]


class Migration(migrations.Migration):
    dependencies = [("articles", "0018_search_term_changes")]

    operations = [
        migrations.CreateModel(
            name="SubjectFacets",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=KINDS, max_length=12, verbose_name="类别")),
                ("subject_id", models.BigIntegerField(verbose_name="对象")),
                ("ranking", models.JSONField(verbose_name="排名")),
                ("months", models.JSONField(verbose_name="月份")),
                ("expires_at", models.DateTimeField(null=True, verbose_name="失效时间")),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="记录时间")),
            ],
            options={
                "verbose_name": "对象页分面计数",
                "verbose_name_plural": "对象页分面计数",
                "constraints": [models.UniqueConstraint(fields=("kind", "subject_id"), name="subject_facets_unique")],
            },
        ),
        migrations.CreateModel(
            name="SubjectFacetsChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=KINDS, max_length=12, verbose_name="类别")),
                ("subject_id", models.BigIntegerField(verbose_name="对象")),
            ],
            options={
                "verbose_name": "对象页分面变化",
                "verbose_name_plural": "对象页分面变化",
                "indexes": [models.Index(fields=["kind", "subject_id"], name="subject_facets_change")],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
