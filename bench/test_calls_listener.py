"""How many Binotel events per second the listener sustains, and how fast a call reaches the live panel.

Not part of the suite; needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL):
`pytest bench/test_calls_listener.py -s`.

A fake Binotel WebSocket server on loopback plays calls (callStart, callAnswer, callStop)
at a rising rate into the real listener (`calls.sync.build_listener`, run in this process),
which upserts them into PostgreSQL and pushes them through Redis. A real server process
(daphne) holds a `/ws/calls/` socket of an admin; the time from a `callStart` leaving the
fake to its push arriving on that socket is the push latency. The fake and the socket's
client run in a process of their own (`binotel_world.py`), as Binotel and the browser do. The floor is hand SQL: the
same rows written with one `INSERT ... ON CONFLICT` per event, measured in the same run.
"""

import asyncio
import itertools
import multiprocessing
import statistics
import time
from urllib.parse import urlsplit

import pytest
from binotel_world import outside_world
from channels.db import database_sync_to_async
from django.db import connection, connections

from calls.sync import build_listener
from calls.tests import samples
from contacts.tests.factories import ContactFactory, PhoneFactory
from crm.realtime.runtime import freeze_loaded_objects
from users.models import Role
from users.services import ws_ticket_issue
from users.tests.factories import UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

RATES = (250, 500, 1000, 2000)  # events per second offered, each for STAGE_SECONDS
STAGE_SECONDS = 2
TARGET_EVENTS_PER_SECOND = 1000
TARGET_P99_MS = 50
NUMBERS = 200


def calls(first: int, count: int, numbers: list[str]) -> list[dict]:
    frames = []
    for n in range(first, first + count):
        call_id, number = f"b{n}", numbers[n % len(numbers)]
        frames += [
            samples.event("callStart", generalCallID=call_id, externalNumber=number, internalNumbers=["901"]),
            samples.event("callAnswer", generalCallID=call_id, externalNumber=number, callType=0, internalNumber="901"),
            samples.event("callStop", generalCallID=call_id, disposition="ANSWER"),
        ]
    return frames


def _people():
    UserFactory(internal_number="901")
    numbers = []
    for n in range(NUMBERS):
        phone = PhoneFactory(contact=ContactFactory(), number=f"+38050{n:07d}")
        numbers.append("0" + phone.number[4:])
    admin = UserFactory(role=Role.ADMIN)
    return numbers, ws_ticket_issue(user=admin)


def _floor(count: int) -> float:
    """Events per second for the same rows written by hand: one INSERT ... ON CONFLICT per event."""
    sql = (
        "INSERT INTO calls_call (binotel_id, type, internal_number, external_number, started_at, disposition, "
        "recording_status, created_at, updated_at) VALUES (%s, 'incoming', '901', %s, now(), %s, '', now(), now()) "
        "ON CONFLICT (binotel_id) DO UPDATE SET disposition = EXCLUDED.disposition, updated_at = now()"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for n in range(count):
            call_id = f"floor{n // 3}"
            cursor.execute(sql, [call_id, "+380500000000", "ANSWER" if n % 3 == 2 else ""])
    return count / (time.perf_counter() - started)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def test_listener_throughput_and_push_latency(servers):
    if connection.vendor != "postgresql":
        pytest.skip("measured on PostgreSQL and Redis")
    (server,) = await database_sync_to_async(servers)(1)
    # As `listen_binotel` runs in production (DEBUG=0): its connection is kept between batches.
    connections.settings["default"]["CONN_MAX_AGE"] = 60
    numbers, ticket = await database_sync_to_async(_people)()
    floor = await database_sync_to_async(_floor)(3000)
    print(f"\nfloor (hand SQL, one INSERT ... ON CONFLICT per event): {floor:.0f} events/s", flush=True)
    handled = itertools.count()
    handled_total = [0]
    spawn = multiprocessing.get_context("spawn")
    ports, plans, reports = spawn.Queue(), spawn.Queue(), spawn.Queue()
    panel_url = f"ws://{urlsplit(server.url).netloc}/ws/calls/?ticket={ticket}"
    world = spawn.Process(
        target=outside_world, args=(samples.text("ws_server_greeting.txt"), panel_url, ports, plans, reports)
    )
    world.start()
    port = await asyncio.to_thread(ports.get, timeout=60)
    listener = await database_sync_to_async(build_listener)(
        url=f"ws://127.0.0.1:{port}", key="k", secret="s", client=None, last_complete_at=None
    )
    handle = listener.on_events

    async def counting(batch):
        await handle(batch)
        for _ in batch:
            handled_total[0] = next(handled) + 1

    listener.on_events = counting
    freeze_loaded_objects()  # as `listen_binotel` does before it listens
    running = asyncio.create_task(listener.run(asyncio.Event()))
    await asyncio.sleep(1)  # connected, and the panel's socket open
    stages, first = [], 0
    for rate in RATES:
        count = rate * STAGE_SECONDS // 3
        frames = calls(first, count, numbers)
        before, started = handled_total[0], time.monotonic()
        plans.put((rate, frames))
        _sent, offered_seconds = await asyncio.to_thread(reports.get, timeout=120)
        while handled_total[0] - before < len(frames):
            await asyncio.sleep(0.01)
            if time.monotonic() - started > 30:
                break
        handled_seconds = time.monotonic() - started
        stages.append((rate, first, count, len(frames) / offered_seconds, len(frames) / handled_seconds))
        print(f"\noffered {rate}/s: handled {stages[-1][4]:.0f}/s", flush=True)
        first += count
        if stages[-1][4] < 0.5 * rate:
            break  # far past what it sustains: the next stage would only queue
    running.cancel()  # not stop: draining a backlog past saturation would take minutes
    plans.put(None)
    _times, sent_at, arrived = await asyncio.to_thread(reports.get, timeout=60)
    world.join(timeout=30)
    results = []
    for rate, first, count, sent_per_s, handled_per_s in stages:
        latencies = [
            (arrived[f"b{n}"] - sent_at[f"b{n}"]) * 1000
            for n in range(first, first + count)
            if f"b{n}" in arrived and f"b{n}" in sent_at
        ]
        results.append(
            {
                "offered": rate,
                "sent_per_s": sent_per_s,
                "handled_per_s": handled_per_s,
                "p50": statistics.median(latencies) if latencies else float("nan"),
                "p99": percentile(latencies, 0.99) if latencies else float("nan"),
                "pushes": len(latencies),
                "calls": count,
            }
        )

    print("offered/s  sent/s  handled/s  ratio-to-floor  push p50 ms  push p99 ms  pushes/calls")
    for row in results:
        print(
            f"{row['offered']:>9} {row['sent_per_s']:>7.0f} {row['handled_per_s']:>10.0f} "
            f"{row['handled_per_s'] / floor:>15.2f} {row['p50']:>12.1f} {row['p99']:>12.1f} "
            f"{row['pushes']:>7}/{row['calls']}"
        )
    sustained = [row for row in results if row["handled_per_s"] >= 0.95 * row["offered"]]
    best = max((row["offered"] for row in sustained), default=0)
    print(f"sustained: {best} events/s (target {TARGET_EVENTS_PER_SECOND}); push p99 target {TARGET_P99_MS} ms")
