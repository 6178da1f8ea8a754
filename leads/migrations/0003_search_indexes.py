"""Trigram and full-text indexes for the global search (PostgreSQL only; nothing on SQLite)."""

from django.db import migrations

from crm.search.indexes import TrigramExtension
from crm.search import search_indexes


class Migration(migrations.Migration):
    dependencies = [("leads", "0002_trash")]

    operations = [
        TrigramExtension(),
        search_indexes("leads", "lead", prefix="lead", fields=["name", "email"], plain=["phone"]),
    ]
