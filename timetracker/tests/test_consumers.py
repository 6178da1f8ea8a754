import pytest
from channels.db import database_sync_to_async
from django.urls import reverse

from crm.tests.support.sockets import receive_type
from timetracker.models import Segment
from timetracker.services import timer_start
from users.tests.factories import UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = database_sync_to_async


async def test_socket_sends_the_state_on_connect(ws):
    user = await db(UserFactory)()
    tab, *_ = await ws("/ws/timer/", user=user)
    state = (await receive_type(tab, "timer.state"))["state"]
    assert state["running"] is False and state["segments"] == []


async def test_start_in_one_tab_reaches_every_tab_of_the_user_only(ws):
    user, other = await db(UserFactory)(), await db(UserFactory)()
    tab_1, *_ = await ws("/ws/timer/", user=user)
    tab_2, *_ = await ws("/ws/timer/", user=user)
    others, *_ = await ws("/ws/timer/", user=other)
    for socket in (tab_1, tab_2, others):
        await receive_type(socket, "timer.state")
    await tab_1.send_json_to({"type": "start"})
    for tab in (tab_1, tab_2):
        assert (await receive_type(tab, "timer.state"))["state"]["running"] is True
    await tab_2.send_json_to({"type": "pause"})
    for tab in (tab_1, tab_2):
        state = (await receive_type(tab, "timer.state"))["state"]
        assert state["running"] is False and len(state["segments"]) == 1
    await tab_1.send_json_to({"type": "resume"})
    for tab in (tab_1, tab_2):
        assert (await receive_type(tab, "timer.state"))["state"]["running"] is True
    await tab_2.send_json_to({"type": "stop"})
    assert (await receive_type(tab_1, "timer.state", timeout=5))["state"]["finished"] is True
    assert await others.receive_nothing(timeout=0.3), "another user's tabs hear nothing"


async def test_start_while_running_is_an_error_and_changes_nothing(ws):
    user = await db(UserFactory)()
    await db(timer_start)(user=user)
    tab, *_ = await ws("/ws/timer/", user=user)
    await tab.send_json_to({"type": "start"})
    assert (await receive_type(tab, "error"))["detail"]
    assert await db(Segment.objects.filter(user=user).count)() == 1


async def test_rest_start_reaches_the_socket(ws, api):
    user = await db(UserFactory)()
    tab, *_ = await ws("/ws/timer/", user=user)
    await receive_type(tab, "timer.state")
    response = await db(lambda: api.as_user(user).post(reverse("timetracker:timer-start")))()
    assert response.status_code == 200
    assert (await receive_type(tab, "timer.state"))["state"]["running"] is True
