import asyncio
import itertools
import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from calls.binotel import AuthFailed, RestClient
from calls.models import Call, ListenerState
from calls.sync import LISTENER, build_listener
from calls.tests import samples
from calls.tests.fakes import API_KEY, API_SECRET, WS_KEY, WS_SECRET, FakeRest, FakeStream
from contacts.models import ContactEvent
from contacts.tests.factories import ContactFactory, PhoneFactory
from users.tests.factories import UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = database_sync_to_async
NUMBER = "0501234567"


def events(call_id: str, *, stop_twice: bool = False) -> list[dict]:
    stop = samples.event("callStop", generalCallID=call_id, disposition="ANSWER")
    return [
        samples.event("callStart", generalCallID=call_id, externalNumber=NUMBER, internalNumbers=["901"]),
        samples.event("callAnswer", generalCallID=call_id, externalNumber=NUMBER, callType=0, internalNumber="901"),
        stop,
        *([stop] if stop_twice else []),
    ]


def quick_delays():
    return itertools.repeat(0.05)


async def eventually(check, *, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await db(check)():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{check.__name__} never became true")


async def listening(stream: FakeStream, *, client=None, key=WS_KEY):
    listener = await db(build_listener)(
        url=stream.url, key=key, secret=WS_SECRET, client=client, delays=quick_delays, last_complete_at=None
    )
    stop = asyncio.Event()
    task = asyncio.create_task(listener.run(stop))
    return listener, stop, task


def _people():
    employee = UserFactory(internal_number="901")
    contact = ContactFactory()
    PhoneFactory(contact=contact, number="+380501234567")
    return employee, contact


async def test_the_listener_authenticates_stores_calls_and_skips_what_is_not_an_event():
    employee, contact = await db(_people)()
    script = [
        events("A")[0],
        "sometimes a plain notice arrives",
        "{not json",
        {"eventName": "callStop"},
        *events("A", stop_twice=True)[1:],
    ]
    async with FakeStream([script]) as stream:
        _listener, stop, task = await listening(stream)

        def stored():
            return Call.objects.filter(binotel_id="A", disposition="ANSWER", employee=employee).exists()

        await eventually(stored)
        stop.set()
        await asyncio.wait_for(task, 10)
    assert stream.auth_messages == [{"task": "authLikeService", "key": WS_KEY, "secret": WS_SECRET}]

    def check():
        call = Call.objects.get()
        assert call.contact == contact and call.started_at and call.answered_at and call.ended_at
        assert ContactEvent.objects.filter(contact=contact, call_id="A").count() == 1
        state = ListenerState.objects.get(name=LISTENER)
        assert state.last_event_at is not None and not state.connected

    await db(check)()


async def test_a_dropped_connection_is_reopened_and_the_gap_filled_from_rest(httpserver):
    await db(_people)()
    now = timezone.now()
    missed = samples.rest_record(
        generalCallID="B", callID="B", startTime=str(int((now - timedelta(seconds=30)).timestamp()))
    )
    seen = samples.rest_record(
        generalCallID="A", callID="A", startTime=str(int((now - timedelta(seconds=90)).timestamp()))
    )
    fake = FakeRest(httpserver, [seen, missed])
    client = RestClient(base_url=fake.base_url, key=API_KEY, secret=API_SECRET, timeout=5)
    async with FakeStream([[*events("A"), FakeStream.DROP], []]) as stream:
        listener, stop, task = await listening(stream, client=client)
        await eventually(lambda: Call.objects.filter(binotel_id="B").exists())
        stop.set()
        await asyncio.wait_for(task, 10)
    assert stream.connections == 2 and listener.connections == 2
    assert fake.periods, "the gap was asked for"
    assert await db(Call.objects.count)() == 2
    assert await db(lambda: Call.objects.filter(binotel_id="A").count())() == 1


async def test_wrong_credentials_stop_the_listener():
    async with FakeStream([[]]) as stream:
        _listener, _stop, task = await listening(stream, key="wrong")
        with pytest.raises(AuthFailed):
            await asyncio.wait_for(task, 10)


async def test_an_error_text_after_login_is_a_reconnection_not_refused_credentials():
    await db(_people)()
    async with FakeStream([["Internal error"], events("A")]) as stream:
        listener, stop, task = await listening(stream)
        await eventually(lambda: Call.objects.filter(binotel_id="A", disposition="ANSWER").exists())
        assert not task.done()
        stop.set()
        await asyncio.wait_for(task, 10)
    assert stream.connections == 2 and listener.connections == 2
