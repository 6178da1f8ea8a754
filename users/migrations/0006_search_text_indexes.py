"""The global search's text index, PostgreSQL only (see contacts 0011 and `crm.search.SearchText`)."""

from django.db import migrations

from crm.search import search_text_indexes


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [("users", "0005_digit_indexes_over_upper")]

    operations = [
        search_text_indexes(
            "users_user",
            {"user_search": ["last_name", "first_name", "email"], "user_names": ["last_name", "first_name"]},
        ),
    ]
