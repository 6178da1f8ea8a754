import pytest
from channels.db import database_sync_to_async

from crm.tests.support.sockets import receive_type
from notifications.services import notification_mark_all_seen, notify
from users.tests.factories import UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = database_sync_to_async


async def test_notification_reaches_every_tab_of_its_recipient_and_nobody_else(ws):
    recipient, other = await db(UserFactory)(), await db(UserFactory)()
    tab_1, *_ = await ws("/ws/notifications/", user=recipient)
    tab_2, *_ = await ws("/ws/notifications/", user=recipient)
    others, *_ = await ws("/ws/notifications/", user=other)
    for socket in (tab_1, tab_2, others):
        assert (await receive_type(socket, "notification.unread_count"))["count"] == 0
    await db(notify)(recipient=recipient, kind="task_shared", title="For you")
    for tab in (tab_1, tab_2):
        event = await receive_type(tab, "notification.created")
        assert event["notification"]["title"] == "For you"
    assert await others.receive_nothing(timeout=0.3)


async def test_marking_seen_in_one_tab_reaches_the_others(ws):
    user = await db(UserFactory)()
    await db(notify)(recipient=user, kind="x", title="one")
    tab, *_ = await ws("/ws/notifications/", user=user)
    assert (await receive_type(tab, "notification.unread_count"))["count"] == 1
    await db(notification_mark_all_seen)(user=user)
    event = await receive_type(tab, "notification.seen")
    assert event["all"] and event["unread_count"] == 0
