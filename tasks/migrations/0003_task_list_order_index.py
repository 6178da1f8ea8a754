from django.db import migrations, models

from crm.search.indexes import AddIndexConcurrently


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("tasks", "0002_trash"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="task",
            index=models.Index(fields=["date", "-priority", "id"], name="task_list_order_idx"),
        ),
    ]
