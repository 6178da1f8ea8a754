"""A trigram index on the normalised name, for finding likely duplicates (crm.merge.duplicates); PostgreSQL only."""

from django.db import migrations

from crm.search.indexes import postgres_trigram_indexes


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY: the table stays writable while a big one is indexed

    dependencies = [
        ('contacts', '0002_trash'),
    ]

    operations = [postgres_trigram_indexes("contacts_contact", {"contact_name_trgm_idx": "lower(trim(last_name || ' ' || first_name))"})]
