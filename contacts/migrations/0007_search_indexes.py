"""Trigram and full-text indexes for the global search (PostgreSQL only; nothing on SQLite)."""

from django.db import migrations

from crm.search.indexes import TrigramExtension
from crm.search import search_indexes


class Migration(migrations.Migration):
    dependencies = [("contacts", "0006_customer_requests")]

    operations = [
        TrigramExtension(),
        # Names and email have their UPPER() trigram indexes from 0005 already; only EDRPOU is new here.
        search_indexes("contacts", "contact", prefix="contact", fields=["edrpou"]),
        search_indexes("contacts", "phone", prefix="phone", plain=["number"]),
        search_indexes(
            "contacts", "customerrequest", prefix="request", fields=["reason"], document=["reason", "description"]
        ),
    ]
