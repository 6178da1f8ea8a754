from django.db import migrations, models

from crm.indexes import AddIndexConcurrently


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("contacts", "0001_initial"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="contact",
            index=models.Index(fields=["last_name", "first_name", "id"], name="contact_list_order_idx"),
        ),
    ]
