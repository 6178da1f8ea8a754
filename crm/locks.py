"""Cross-process locks for commands that must never run twice at once."""

import zlib
from contextlib import contextmanager

from django.db import connection


@contextmanager
def advisory_lock(name: str):
    """Hold PostgreSQL's session advisory lock named `name`; yield False if another process holds it.

    On other databases (SQLite in development) there is no such lock, and it yields True.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    key = zlib.crc32(name.encode()) - 2**31  # a stable signed 32-bit key
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
