"""The global search's text index, PostgreSQL only (see contacts 0011 and `crm.search.SearchText`)."""

from django.db import migrations

from crm.search import search_text_indexes


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [("calls", "0001_calls_and_listener_state")]

    operations = [
        # One column: the same expression as the digit match of `crm.search.digits_contain`.
        search_text_indexes("calls_call", {"call_external_number_search": ["external_number"]}),
    ]
