"""Migration operations that touch the database on one vendor only, while keeping the model state the same."""

from django.db import migrations


class AddIndexOnPostgres(migrations.AddIndex):
    """An index only PostgreSQL builds (GIN, NULLS LAST order); other databases keep the state but skip the DDL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return super().describe() + " (PostgreSQL only)"
