from django.db import migrations, models

from crm.search.indexes import AddIndexConcurrently


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("companies", "0004_name_trigram_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="company",
            index=models.Index(fields=["name", "id"], name="company_list_order_idx"),
        ),
    ]
