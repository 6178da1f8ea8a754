"""The global search's text index, PostgreSQL only (see contacts 0011 and `crm.search.SearchText`)."""

from django.db import migrations

from crm.search import search_text_indexes


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [("companies", "0006_search_indexes")]

    operations = [
        search_text_indexes("companies_company", {"company_search": ["name", "edrpou"]}),
    ]
