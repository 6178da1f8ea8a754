"""Digit indexes over UPPER(column): a trigram index over the bare column also served `=`/`IN`, badly."""

from django.db import migrations

from crm.search import search_indexes


class Migration(migrations.Migration):
    dependencies = [("users", "0004_search_indexes")]

    operations = [
        migrations.RunSQL('DROP INDEX IF EXISTS "user_work_phone_digits"', migrations.RunSQL.noop),
        search_indexes("users", "user", prefix="user", plain=["work_phone"]),
    ]
