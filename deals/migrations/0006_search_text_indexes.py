"""The global search's text index, PostgreSQL only (see contacts 0011 and `crm.search.SearchText`)."""

from django.db import migrations

from crm.search import search_text_indexes


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [("deals", "0005_search_indexes")]

    operations = [
        search_text_indexes("deals_deal", {"deal_search": ["title", "company_name"]}),
    ]
