"""A PostgreSQL advisory lock, so that two runs of one sync command never overlap."""

import hashlib
from contextlib import contextmanager

from django.db import connection


def _key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def advisory_lock(name: str):
    """Yield True when the lock named `name` is ours, False when another session holds it.

    Session-level and non-blocking; released on exit. On databases other than
    PostgreSQL (SQLite in development) there is nothing to take and it yields True.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    key = _key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
