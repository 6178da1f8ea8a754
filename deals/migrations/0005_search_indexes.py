"""Trigram and full-text indexes for the global search (PostgreSQL only; nothing on SQLite)."""

from django.db import migrations

from crm.search.indexes import TrigramExtension
from crm.search import search_indexes


class Migration(migrations.Migration):
    dependencies = [("deals", "0004_default_sales_pipeline_and_status_mappings")]

    operations = [
        TrigramExtension(),
        search_indexes("deals", "deal", prefix="deal", fields=["title", "company_name"]),
        search_indexes("deals", "order", prefix="order", fields=["shop_order_id"]),
    ]
