"""A trigram index on the normalised name, for finding likely duplicates (crm.merge.duplicates); PostgreSQL only."""

from django.db import migrations

from crm.search.indexes import postgres_trigram_indexes


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY: the table stays writable while a big one is indexed

    dependencies = [
        ('companies', '0003_trash'),
    ]

    operations = [postgres_trigram_indexes("companies_company", {"company_name_trgm_idx": "lower(trim(name))"})]
