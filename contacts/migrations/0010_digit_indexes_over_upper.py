"""Digit indexes over UPPER(column): a trigram index over the bare column also served `=`/`IN`, badly."""

from django.db import migrations

from crm.search import search_indexes


class Migration(migrations.Migration):
    dependencies = [("contacts", "0009_campaigns")]

    operations = [
        migrations.RunSQL('DROP INDEX IF EXISTS "phone_number_digits"', migrations.RunSQL.noop),
        search_indexes("contacts", "phone", prefix="phone", plain=["number"]),
    ]
