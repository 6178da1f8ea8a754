"""A Ukrainian install (LANGUAGE_CODE uk) gets the seeded sales pipeline and its stages in Ukrainian.

Migration 0004 seeds them in English. Only the names 0004 wrote are renamed: a pipeline or stage someone has
renamed keeps its name, and a re-run changes nothing.
"""

from django.conf import settings
from django.db import migrations

PIPELINE = ("Sales", "Продажі")
STAGES = {
    "New order": "Нове замовлення",
    "Processing": "В обробці",
    "Shipped": "Відправлено",
    "Delivered": "Доставлено",
    "Cancelled": "Скасовано",
}


def to_install_language(apps, schema_editor):
    if not settings.LANGUAGE_CODE.lower().startswith("uk"):
        return
    Pipeline = apps.get_model("deals", "Pipeline")
    english, ukrainian = PIPELINE
    pipeline = Pipeline.objects.filter(name=english).first()
    if pipeline is None or Pipeline.objects.filter(name=ukrainian).exists():
        return
    pipeline.name = ukrainian
    pipeline.save(update_fields=["name"])
    taken = set(pipeline.stages.values_list("name", flat=True))
    for stage in pipeline.stages.filter(name__in=STAGES):
        if STAGES[stage.name] not in taken:
            stage.name = STAGES[stage.name]
            stage.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [("deals", "0006_search_text_indexes")]

    operations = [migrations.RunPython(to_install_language, migrations.RunPython.noop)]
