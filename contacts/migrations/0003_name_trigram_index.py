"""A trigram index on the normalised name, for finding likely duplicates (crm.duplicates); PostgreSQL only."""

from django.db import migrations

CREATE = "CREATE INDEX CONCURRENTLY IF NOT EXISTS contact_name_trgm_idx ON contacts_contact USING gin ((lower(trim(last_name || ' ' || first_name))) gin_trgm_ops)"
DROP = "DROP INDEX CONCURRENTLY IF EXISTS contact_name_trgm_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY: the table stays writable while a big one is indexed

    dependencies = [
        ('contacts', '0002_trash'),
    ]

    operations = [migrations.RunPython(create, drop)]
