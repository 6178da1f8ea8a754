"""Trigram indexes for `?search=` on PostgreSQL: substring matches on names and email without a full scan.

They index the very expression Django writes for `icontains` (UPPER(column::text) LIKE UPPER(…)),
so the planner can use them; SQLite has no such index and keeps scanning.
"""

from django.db import migrations

from crm.search.indexes import TrigramExtension, postgres_trigram_indexes

FIELDS = ("first_name", "last_name", "patronymic", "email")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("contacts", "0004_contact_list_order_index"),
    ]

    operations = [
        TrigramExtension(),
        postgres_trigram_indexes("contacts_contact", {f"contact_{f}_trgm_idx": f"UPPER({f}::text)" for f in FIELDS}),
    ]
