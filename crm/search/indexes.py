"""Migration operations for indexes on tables that can be big."""

from django.contrib.postgres.operations import AddIndexConcurrently as PostgresAddIndexConcurrently
from django.contrib.postgres.operations import TrigramExtension as PostgresTrigramExtension
from django.db import migrations
from django.db.migrations.operations import AddIndex


class AddIndexConcurrently(PostgresAddIndexConcurrently):
    """`CREATE INDEX CONCURRENTLY` on PostgreSQL, so writes go on while it builds; a plain index elsewhere.

    The migration that uses it must set `atomic = False`.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


def postgres_trigram_indexes(table: str, indexes: dict[str, str]) -> migrations.RunPython:
    """Trigram GIN indexes over expressions, `{name: expression}`, built concurrently on PostgreSQL
    (after `CREATE EXTENSION IF NOT EXISTS pg_trgm`); nothing elsewhere, SQLite having no GIN.

    For indexes the models cannot declare on every database. The migration must set `atomic = False`.
    """

    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for name, expression in indexes.items():
                schema_editor.execute(
                    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} USING gin (({expression}) gin_trgm_ops)"
                )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for name in indexes:
                schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")

    return migrations.RunPython(create, drop)


def drop_postgres_indexes(*names: str) -> migrations.RunPython:
    """Drop indexes that only PostgreSQL had (concurrently; the migration must set `atomic = False`).

    Not reversible into the same indexes: unapplying leaves them dropped, which only costs speed.
    """

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for name in names:
                schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')

    return migrations.RunPython(drop, migrations.RunPython.noop)


class TrigramExtension(PostgresTrigramExtension):
    """`CREATE EXTENSION IF NOT EXISTS pg_trgm`, left in place when the migration is unapplied.

    Several apps' indexes use it, and Django's own operation drops it on the way back, which fails while
    any of them remains (or would drop them all). An extension costs nothing when nothing uses it.
    """

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass
