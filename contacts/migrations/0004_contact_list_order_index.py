from django.db import migrations, models

from crm.search.indexes import AddIndexConcurrently


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("contacts", "0003_name_trigram_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="contact",
            index=models.Index(fields=["last_name", "first_name", "id"], name="contact_list_order_idx"),
        ),
    ]
