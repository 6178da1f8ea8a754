"""Trigram indexes for `?search=` on PostgreSQL: substring matches on names and email without a full scan.

They index the very expression Django writes for `icontains` (UPPER(column::text) LIKE UPPER(…)),
so the planner can use them; SQLite has no such index and keeps scanning.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

FIELDS = ("first_name", "last_name", "patronymic", "email")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for field in FIELDS:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS contact_{field}_trgm_idx "
            f"ON contacts_contact USING gin ((UPPER({field}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for field in FIELDS:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS contact_{field}_trgm_idx")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("contacts", "0004_contact_list_order_index"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
