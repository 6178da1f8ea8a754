"""The global search's text index, PostgreSQL only (see contacts 0011 and `crm.search.SearchText`)."""

from django.db import migrations

from crm.search.indexes import drop_postgres_indexes
from crm.search import search_text_indexes


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [("tasks", "0004_search_indexes")]

    operations = [
        search_text_indexes("tasks_task", {"task_search": ["name", "description"]}),
        # It never served a query: its expression was not the one Django writes.
        drop_postgres_indexes("task_fts"),
    ]
