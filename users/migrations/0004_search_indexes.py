"""Trigram and full-text indexes for the global search (PostgreSQL only; nothing on SQLite)."""

from django.db import migrations

from crm.search.indexes import TrigramExtension
from crm.search import search_indexes


class Migration(migrations.Migration):
    dependencies = [("users", "0003_user_internal_number")]

    operations = [
        TrigramExtension(),
        search_indexes(
            "users", "user", prefix="user", fields=["last_name", "first_name", "email"], plain=["work_phone"]
        ),
    ]
