"""The ASGI limit on concurrent HTTP requests of one process."""

import asyncio

import pytest

from crm.realtime.concurrency import HttpConcurrencyLimit

pytestmark = pytest.mark.asyncio


async def test_no_more_than_the_limit_run_at_once_and_the_rest_wait_their_turn():
    running, most, release = 0, 0, asyncio.Event()

    async def app(scope, receive, send):
        nonlocal running, most
        running += 1
        most = max(most, running)
        await release.wait()
        running -= 1
        await send({"type": "done"})

    limited, sent = HttpConcurrencyLimit(app, 2), []

    async def send(message):
        sent.append(message)

    requests = [asyncio.create_task(limited({"type": "http"}, None, send)) for _ in range(5)]
    await asyncio.sleep(0.05)
    assert (running, most) == (2, 2)
    release.set()
    await asyncio.gather(*requests)
    assert len(sent) == 5 and most == 2


async def test_zero_means_no_limit():
    running, release = 0, asyncio.Event()

    async def app(scope, receive, send):
        nonlocal running
        running += 1
        await release.wait()

    requests = [asyncio.create_task(HttpConcurrencyLimit(app, 0)({}, None, None)) for _ in range(5)]
    await asyncio.sleep(0.05)
    assert running == 5
    release.set()
    await asyncio.gather(*requests)
