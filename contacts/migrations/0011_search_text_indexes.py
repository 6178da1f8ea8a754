"""One trigram index over the text the global search matches (`crm.search.SearchText`), PostgreSQL only.

Each word of a query is then one condition on one expression, and all the words of a query are answered
by one index scan; it used to be a scan of one index per field, OR-ed together, which PostgreSQL often
gave up for a scan of the whole table.
"""

from django.db import migrations

from crm.search.indexes import drop_postgres_indexes
from crm.search import search_text_indexes


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [("contacts", "0010_digit_indexes_over_upper")]

    operations = [
        search_text_indexes(
            "contacts_contact",
            {
                "contact_search": ["last_name", "first_name", "patronymic", "email", "edrpou"],
                "contact_names": ["last_name", "first_name", "patronymic"],
            },
        ),
        search_text_indexes("contacts_customerrequest", {"request_search": ["reason", "description"]}),
        # Replaced by the two above (the list's `?search=` matches as the global search does); the full-text
        # index never served a query: its expression was not the one Django writes.
        drop_postgres_indexes(
            "contact_first_name_trgm_idx",
            "contact_last_name_trgm_idx",
            "contact_patronymic_trgm_idx",
            "contact_email_trgm_idx",
            "contact_edrpou_trgm",
            "request_fts",
        ),
    ]
