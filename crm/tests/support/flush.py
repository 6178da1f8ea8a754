"""Emptying PostgreSQL between transactional tests with DELETE instead of TRUNCATE.

A test marked `django_db(transaction=True)` (every test with a server process or a database thread of its
own) ends with Django's `flush`, which on PostgreSQL is one TRUNCATE of every table: about a second for
the project's 70 tables, as each truncated table gets new files, against a few milliseconds to DELETE
the handful of rows a test leaves. The tables end as empty either way. Every foreign key Django creates
is DEFERRABLE INITIALLY DEFERRED, and flush runs in one transaction, so the order of the deletes does
not matter; the project has no triggers. A flush that resets sequences keeps Django's TRUNCATE.
"""

from django.db.backends.postgresql.operations import DatabaseOperations

_truncate = DatabaseOperations.sql_flush


def _delete_everything(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if reset_sequences or not tables:
        return _truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    quote = self.quote_name
    return ["SET CONSTRAINTS ALL DEFERRED", *(f"DELETE FROM {quote(table)}" for table in tables)]


def flush_by_delete() -> None:
    DatabaseOperations.sql_flush = _delete_everything
