"""Migration 0003: existing direct chats get their pair; a group holding a direct chat's kind of name is renamed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("chat", "0002_alter_messagefile_file")]
AFTER = [("chat", "0004_chat_kind_constraints")]


@pytest.mark.django_db(transaction=True)
def test_direct_chats_are_converted_and_colliding_groups_renamed(django_user_model):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Chat, ChatMember = old.get_model("chat", "Chat"), old.get_model("chat", "ChatMember")
    # Users are made with today's model: only chat's tables go back in time.
    first, second, third = (django_user_model.objects.create(email=f"u{n}@example.com") for n in range(3))
    low, high = sorted([first.pk, second.pk])
    direct = Chat.objects.create(name=f"direct-{low}-{high}", display_name="A / B", is_direct=True)
    ChatMember.objects.bulk_create([ChatMember(chat=direct, user_id=low), ChatMember(chat=direct, user_id=high)])
    squatter = Chat.objects.create(name=f"direct-{first.pk}-{third.pk}", display_name="Mine")
    ChatMember.objects.create(chat=squatter, user_id=third.pk)
    plain = Chat.objects.create(name="sales", display_name="Sales")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("chat", "Chat")
    converted = new.objects.get(pk=direct.pk)
    assert (converted.kind, converted.direct_low_id, converted.direct_high_id) == ("direct", low, high)
    renamed = new.objects.get(pk=squatter.pk)
    assert renamed.kind == "group" and not renamed.name.startswith("direct-")
    assert new.objects.get(pk=plain.pk).name == "sales"
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
