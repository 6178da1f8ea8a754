"""Trigram and full-text indexes for the global search (PostgreSQL only; nothing on SQLite)."""

from django.db import migrations

from crm.search.indexes import TrigramExtension
from crm.search import search_indexes


class Migration(migrations.Migration):
    dependencies = [("tasks", "0003_task_list_order_index")]

    operations = [
        TrigramExtension(),
        search_indexes("tasks", "task", prefix="task", fields=["name"], document=["name", "description"]),
    ]
