"""Digit indexes over UPPER(column): a trigram index over the bare column also served `=`/`IN`, badly."""

from django.db import migrations

from crm.search import search_indexes


class Migration(migrations.Migration):
    dependencies = [("leads", "0003_search_indexes")]

    operations = [
        migrations.RunSQL('DROP INDEX IF EXISTS "lead_phone_digits"', migrations.RunSQL.noop),
        search_indexes("leads", "lead", prefix="lead", plain=["phone"]),
    ]
