"""Bulk inserts and upserts of plain rows, for sync workers that write thousands of rows a second.

On PostgreSQL one `INSERT ... VALUES ... ON CONFLICT ... RETURNING` built by psycopg2's
`execute_values`, or a COPY when nothing needs to come back; both skip the ORM's per-value
preparation, several times faster for wide pages. Elsewhere `bulk_create` does the same job.
The raw cursor's errors are raised as Django's (`DataError`, `IntegrityError`, ...), as the ORM's are.
Rows are dicts of attribute names (`contact_id`, not `contact`) with values the driver takes
as they are; missing columns get the field's default, `auto_now`/`auto_now_add` columns the current time.
"""

import io
from datetime import datetime

from django.db import connection
from django.utils import timezone
from psycopg2.extras import execute_values


def _fields(model):
    return [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]


def _complete(model, rows: list[dict]) -> tuple[list, list[tuple]]:
    fields = _fields(model)
    now = timezone.now()
    defaults = {
        f.attname: now if (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)) else f.get_default()
        for f in fields
    }
    return fields, [tuple(row.get(f.attname, defaults[f.attname]) for f in fields) for row in rows]


def bulk_insert(model, rows: list[dict]) -> list[int]:
    """Insert `rows`; returns their pks in the same order."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objects = [model(**row) for row in rows]
        model.objects.bulk_create(objects)
        return [obj.pk for obj in objects]
    fields, values = _complete(model, rows)
    sql = f"{_insert_sql(model, fields)} RETURNING {connection.ops.quote_name(model._meta.pk.column)}"
    with connection.cursor() as cursor, connection.wrap_database_errors:
        return [row[0] for row in execute_values(cursor.cursor, sql, values, page_size=len(values), fetch=True)]


def _insert_sql(model, fields) -> str:
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES %s"  # noqa: S608 - names come from the model


def bulk_upsert(
    model, rows: list[dict], *, unique: list[str] | None = None, update: list[str] | None = None, key: str = "id"
) -> dict:
    """Insert `rows`; on a conflict over `unique`, update the `update` columns (none: keep the row).

    Returns {row[key]: pk} for the rows inserted or updated (a row kept as it was is left out).
    """
    if not rows:
        return {}
    if connection.vendor != "postgresql":
        return _bulk_create(model, rows, unique=unique, update=update, key=key)
    fields, values = _complete(model, rows)
    pk = connection.ops.quote_name(model._meta.pk.column)
    key_column = connection.ops.quote_name(model._meta.get_field(key).column)
    sql = _insert_sql(model, fields)
    targets = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in unique)
    if update:
        columns = [connection.ops.quote_name(model._meta.get_field(name).column) for name in update]
        sql += f" ON CONFLICT ({targets}) DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in columns)
    else:
        sql += f" ON CONFLICT ({targets}) DO NOTHING"
    sql += f" RETURNING {key_column}, {pk}"
    with connection.cursor() as cursor, connection.wrap_database_errors:
        returned = execute_values(cursor.cursor, sql, values, page_size=len(values), fetch=True)
    return dict(returned)


def _bulk_create(model, rows, *, unique, update, key) -> dict:
    objects = [model(**row) for row in rows]
    if update:
        model.objects.bulk_create(objects, update_conflicts=True, unique_fields=unique, update_fields=update)
        return {getattr(obj, key): obj.pk for obj in objects}
    model.objects.bulk_create(objects, ignore_conflicts=True)
    return dict(model.objects.filter(**{f"{key}__in": [row[key] for row in rows]}).values_list(key, "pk"))


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    if any(char in text for char in "\\\t\n\r"):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def bulk_copy(model, rows: list[dict]) -> None:
    """Insert `rows` with PostgreSQL's COPY (the fastest way in); `bulk_insert` elsewhere. Nothing is returned."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        bulk_insert(model, rows)
        return
    fields, values = _complete(model, rows)
    data = "\n".join("\t".join(_copy_text(value) for value in row) for row in values) + "\n"
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO(data))
