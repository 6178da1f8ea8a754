"""Two real server processes behind different ports share one Redis channel layer and one database.

A client of one process must hear what a client of the other did: the reason
for the Redis layer (the in-memory one only reaches sockets of its own process).
"""

import asyncio
import json

import pytest
from websockets.asyncio.client import connect

from chat.tests.factories import chat_with
from users.services import ws_ticket_issue
from users.tests.factories import UserFactory

TIMEOUT = 10


async def _open(server, path, user_ticket):
    return await connect(
        f"ws://127.0.0.1:{server.port}{path}?ticket={user_ticket}", origin=server.url, open_timeout=TIMEOUT
    )


async def _next(socket, event_type):
    while True:
        event = json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT))
        if event["type"] == event_type:
            return event


@pytest.mark.django_db(transaction=True)
def test_chat_message_and_timer_cross_server_processes(servers):
    first, second = servers(2)
    alice, bob = UserFactory(), UserFactory()
    chat = chat_with(bob, owner=alice)
    tickets = [ws_ticket_issue(user=user) for user in (alice, bob, alice, alice)]

    async def scenario():
        alice_chat = await _open(first, f"/ws/chat/{chat.pk}/", tickets[0])
        bob_chat = await _open(second, f"/ws/chat/{chat.pk}/", tickets[1])
        alice_timer_tab = await _open(first, "/ws/timer/", tickets[2])
        alice_other_tab = await _open(second, "/ws/timer/", tickets[3])
        try:
            await alice_chat.send(json.dumps({"type": "new_message", "text": "across processes"}))
            message = (await _next(bob_chat, "chat.message"))["message"]
            assert message["text"] == "across processes" and message["author"]["id"] == alice.pk

            await _next(alice_other_tab, "timer.state")  # the state sent on connect
            await alice_timer_tab.send(json.dumps({"type": "start"}))
            state = (await _next(alice_other_tab, "timer.state"))["state"]
            assert state["running"] is True
        finally:
            for socket in (alice_chat, bob_chat, alice_timer_tab, alice_other_tab):
                await socket.close()

    asyncio.run(scenario())
