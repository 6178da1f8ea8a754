"""The global search's text index, PostgreSQL only (see contacts 0011 and `crm.search.SearchText`)."""

from django.db import migrations

from crm.search import search_text_indexes


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [("leads", "0004_digit_indexes_over_upper")]

    operations = [
        search_text_indexes("leads_lead", {"lead_search": ["name", "email"]}),
    ]
