"""A fresh install gets a sales pipeline and the shop statuses mapped onto it; both stay editable."""

from django.db import migrations

STAGES = ["New order", "Processing", "Shipped", "Delivered", "Cancelled"]

# backend → shop status → (stage, payment status, deal status)
MAPPINGS = {
    "woocommerce": {
        "pending": ("New order", "unpaid", "open"),
        "on-hold": ("New order", "unpaid", "open"),
        "checkout-draft": ("New order", "unpaid", "open"),
        "processing": ("Processing", "paid", "open"),
        "completed": ("Delivered", "paid", "won"),
        "cancelled": ("Cancelled", "unpaid", "failed"),
        "failed": ("Cancelled", "unpaid", "failed"),
        "refunded": ("Cancelled", "refunded", "failed"),
    },
    "horoshop": {
        "1": ("New order", "unpaid", "open"),
        "2": ("Processing", "unpaid", "open"),
        "6": ("Shipped", "unpaid", "open"),
        "3": ("Delivered", "paid", "won"),
        "4": ("Cancelled", "unpaid", "failed"),
    },
    "rest": {
        "new": ("New order", "unpaid", "open"),
        "processing": ("Processing", "unpaid", "open"),
        "paid": ("Processing", "paid", "open"),
        "shipped": ("Shipped", "paid", "open"),
        "delivered": ("Delivered", "paid", "won"),
        "cancelled": ("Cancelled", "unpaid", "failed"),
        "refunded": ("Cancelled", "refunded", "failed"),
    },
}


def seed(apps, schema_editor):
    Pipeline = apps.get_model("deals", "Pipeline")
    Stage = apps.get_model("deals", "Stage")
    ShopStatusMapping = apps.get_model("deals", "ShopStatusMapping")
    pipeline, created = Pipeline.objects.get_or_create(name="Sales", defaults={"position": 0})
    if not created:
        return
    stages = {
        name: Stage.objects.create(pipeline=pipeline, name=name, position=position)
        for position, name in enumerate(STAGES, start=1)
    }
    ShopStatusMapping.objects.bulk_create(
        ShopStatusMapping(
            backend=backend, shop_status=status, stage=stages[stage], payment_status=payment, deal_status=deal
        )
        for backend, statuses in MAPPINGS.items()
        for status, (stage, payment, deal) in statuses.items()
    )


class Migration(migrations.Migration):
    dependencies = [("deals", "0003_shop_sync_fields_status_mapping_and_sync_state")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
