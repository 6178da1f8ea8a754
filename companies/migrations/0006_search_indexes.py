"""Trigram and full-text indexes for the global search (PostgreSQL only; nothing on SQLite)."""

from django.db import migrations

from crm.search.indexes import TrigramExtension
from crm.search import search_indexes


class Migration(migrations.Migration):
    dependencies = [("companies", "0005_company_list_order_index")]

    operations = [
        TrigramExtension(),
        search_indexes("companies", "company", prefix="company", fields=["name", "edrpou"]),
    ]
