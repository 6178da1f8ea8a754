"""Chat fan-out, and the whole server under load, measured from outside on real server processes.

Not part of the suite. Needs PostgreSQL (DATABASE_URL, it writes bench users and a bench
chat there), REDIS_URL set and `redis-server` on PATH: the servers get a Redis of their
own on a free port, so that no test run flushes it. Two server processes (DEBUG=0; uvicorn,
or daphne with `--server daphne`) share them; one 50-member chat holds 25 sockets on each
process, 5 of the members post through both processes at a fixed rate, and one clock (this
process) stamps every send and every arrival. Run from the project folder:

    python bench/realtime.py chat --rates 100,300,600 --seconds 15 --server uvicorn,daphne
    python bench/realtime.py load --seconds 60          # + 100 staff on the REST API

`chat` first drives the bare floor (bench/ws_floor.py: the same fan-out on `websockets` and
redis-py, two processes, the same frames to the same 50 sockets) at every rate, then each server
in `--server`, one after the other, and prints the server CPU per delivered frame of each and
its ratio to the floor's (issue 27: at most 3x).

Reported: p50/p95/p99/max from post to each member, p99 to the last member of each
message, lost receptions, duplicates, messages stored, CPU of each server process; for
`load` also requests per second, p50/p99 per endpoint family and the 5xx count. The floor,
measured in the same run: one Redis round trip and one hand-written INSERT.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
# The servers and this process sign and check the same JWTs: one secret for both.
BENCH_SECRET_KEY = "bench-only-" + "x" * 50
os.environ["SECRET_KEY"] = BENCH_SECRET_KEY

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

import httpx  # noqa: E402
import psutil  # noqa: E402
import redis  # noqa: E402
import uvloop  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework_simplejwt.tokens import RefreshToken  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from bench.machine import yardstick  # noqa: E402
from chat.models import Chat, ChatMember, Message, MessageFile  # noqa: E402
from chat.serializers import MessageSerializer  # noqa: E402
from contacts.models import Contact  # noqa: E402
from crm.tests.support.sockets import SOCKET_SERVER, LoopbackProcess, ServerProcess, free_port  # noqa: E402
from users.models import User  # noqa: E402
from users.services import ws_ticket_issue  # noqa: E402

MEMBERS = 50
POSTERS = 5
STAFF = 100
DRAIN_SECONDS = 5
# After the last post, wait until every post is confirmed (`chat.sent`) and the sockets have been
# quiet for DRAIN_SECONDS, at most this long.
DRAIN_MAX_SECONDS = 120
PREFIX = "bench-rt"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


# Data


def bench_people(count: int, kind: str) -> list[User]:
    people = []
    for n in range(count):
        user, _created = User.objects.get_or_create(
            email=f"{PREFIX}-{kind}-{n}@example.com", defaults={"first_name": kind, "last_name": str(n)}
        )
        people.append(user)
    return people


def bench_chat(members: list[User]) -> Chat:
    chat, _created = Chat.objects.get_or_create(
        name=f"{PREFIX}-room", defaults={"display_name": "Bench room", "owner": members[0]}
    )
    ChatMember.objects.bulk_create([ChatMember(chat=chat, user=user) for user in members], ignore_conflicts=True)
    return chat


# Servers


class BenchRedis:
    """A Redis of the benchmark's own on a free port: nothing else flushes it or adds load to it."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],  # noqa: S607
            stdout=subprocess.DEVNULL,
        )
        time.sleep(1)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def server_env(redis_url: str) -> dict:
    """What every server process of a run is started with: this process' database, the run's Redis, DEBUG off."""
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return {
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{host}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "DEBUG": "0",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        # Settings a run may vary (e.g. CHANNEL_CAPACITY=20000 python bench/realtime.py chat).
        **{name: os.environ[name] for name in ("CHANNEL_CAPACITY", "CHANNEL_EXPIRY") if name in os.environ},
    }


class Servers:
    def __init__(self, count: int, log_dir: Path, redis_url: str, nice: int = 0, server: str = SOCKET_SERVER):
        env = server_env(redis_url)
        log_dir.mkdir(parents=True, exist_ok=True)
        self.nice = nice
        self.name = server
        self.processes = [ServerProcess(env, log_dir, nice, server) for _ in range(count)]
        self.ready()

    def ready(self):
        for server in self.processes:
            server.wait_ready(timeout=120)
        self.psutil = [psutil.Process(server.process.pid) for server in self.processes]

    def stop(self):
        for server in self.processes:
            server.stop()


class FloorProcess(LoopbackProcess):
    """One process of bench/ws_floor.py on a loopback port."""

    name = "floor"

    def __init__(self, log_dir: Path, redis_url: str, template: Path):
        super().__init__(log_dir)
        command = [sys.executable, str(BASE_DIR / "bench" / "ws_floor.py"), "--port", str(self.port)]
        self.start([*command, "--redis", redis_url, "--template", str(template)], dict(os.environ))


class BareFloor(Servers):
    """The bare fan-out (bench/ws_floor.py) in `count` processes: what the CRM's socket servers are held to."""

    def __init__(self, count: int, log_dir: Path, redis_url: str, chat: Chat):
        template = log_dir / "message.json"
        template.write_text(json.dumps(pushed_message(chat)))
        self.name = "floor"
        self.nice = 0
        self.processes = [FloorProcess(log_dir, redis_url, template) for _ in range(count)]
        self.ready()


def pushed_message(chat: Chat) -> dict:
    """A message of `chat` as the CRM pushes it (chat.services.message_create), for the floor to send alike."""
    message = Message.objects.create(chat=chat, author=chat.owner, text="x")
    message._prefetched_objects_cache = {"files": MessageFile.objects.none()}
    pushed = json.loads(json.dumps(MessageSerializer().to_representation(message), default=str))
    message.delete()
    return pushed


class CpuMeter:
    """The share of a CPU each process has used since the meter was made."""

    def __init__(self, processes: list[psutil.Process]):
        self.processes, self.started = processes, time.monotonic()
        self.before = [self.seconds(process) for process in processes]

    def used(self) -> list[float]:
        """CPU seconds each process has used since the meter was made."""
        return [self.seconds(p) - before for p, before in zip(self.processes, self.before, strict=True)]

    @staticmethod
    def seconds(process: psutil.Process) -> float:
        return sum(process.cpu_times()[:2])

    def shares(self) -> list[float]:
        wall = time.monotonic() - self.started
        return [(self.seconds(p) - before) / wall for p, before in zip(self.processes, self.before, strict=True)]


# Chat


class ChatRun:
    """One rate: every member's socket open, posts at a fixed rate, every arrival stamped."""

    def __init__(self, servers: Servers, chat: Chat, members: list[User]):
        self.servers, self.chat, self.members = servers, chat, members
        self.sent: dict[str, float] = {}
        self.arrivals: dict[str, list[float]] = {}
        self.duplicates = 0
        self.confirmed: set[int] = set()
        self.closed: list[int | None] = []
        self.missed: dict[int, list[str]] = {}  # member -> what it never received, filled by summarize
        self.received_by: dict[int, set[str]] = {}

    async def open(self):
        self.sockets = []
        for n, member in enumerate(self.members):
            server = self.servers.processes[n % len(self.servers.processes)]
            ticket = await asyncio.to_thread(ws_ticket_issue, user=member)
            socket = await connect(
                f"ws://127.0.0.1:{server.port}/ws/chat/{self.chat.pk}/?ticket={ticket}",
                origin=server.url,
                max_queue=None,
                # A server that falls behind answers pings late: its lateness is measured, not closed on.
                ping_interval=None,
            )
            self.sockets.append(socket)
        self.readers = [asyncio.create_task(self.read(n, socket)) for n, socket in enumerate(self.sockets)]

    async def read(self, member: int, socket):
        seen = set()
        try:
            async for frame in socket:
                now = time.monotonic()
                event = json.loads(frame)
                if event["type"] == "chat.sent":
                    self.confirmed.add(event["id"])
                if event["type"] != "chat.message":
                    continue
                key = event["message"]["text"]
                if key in seen:
                    self.duplicates += 1
                    continue
                seen.add(key)
                self.received_by.setdefault(member, set()).add(key)
                self.arrivals.setdefault(key, []).append(now)
        except Exception as error:  # a closed socket is counted below
            print(f"socket of member {member}: {error!r}", file=sys.stderr)
        self.closed.append(socket.close_code)

    async def post(self, rate: float, seconds: float, tag: str):
        posters = self.sockets[:POSTERS]
        total = int(rate * seconds)
        start = time.monotonic()
        for n in range(total):
            due = start + n / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            key = f"{tag}-{n}"
            self.sent[key] = time.monotonic()
            await posters[n % POSTERS].send(json.dumps({"type": "new_message", "text": key}))
        return total

    async def drain(self, total: int):
        """Until every post is confirmed and then nothing more arrives for DRAIN_SECONDS: what is still
        queued when the servers have fallen behind is late, not lost (at most DRAIN_MAX_SECONDS)."""
        deadline = time.monotonic() + DRAIN_MAX_SECONDS
        while len(self.confirmed) < total and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        received, quiet_since = -1, time.monotonic()
        while time.monotonic() < deadline:
            now_received = sum(len(times) for times in self.arrivals.values())
            if now_received != received:
                received, quiet_since = now_received, time.monotonic()
            elif time.monotonic() - quiet_since >= DRAIN_SECONDS:
                return
            await asyncio.sleep(0.2)

    async def close(self):
        for socket in self.sockets:
            await socket.close()
        await asyncio.gather(*self.readers, return_exceptions=True)


async def chat_rate(servers: Servers, chat: Chat, members: list[User], rate: float, seconds: float) -> dict:
    run = ChatRun(servers, chat, members)
    await run.open()
    await asyncio.sleep(1)
    tag = f"r{int(rate)}-{time.time_ns()}"
    meter = CpuMeter([*servers.psutil, psutil.Process()])  # the servers, then this client
    total = await run.post(rate, seconds, tag)
    await run.drain(total)
    cpu, cpu_seconds = meter.shares(), sum(meter.used()[:-1])
    await run.close()
    row = await asyncio.to_thread(summarize, run, total, tag, cpu, rate, stored_check=servers.name != "floor")
    row["server"] = servers.name
    row["cpu_per_frame"] = cpu_seconds / max(row["receptions"], 1)
    return row


def summarize(run: ChatRun, total: int, tag: str, cpu: list[float], rate: float, stored_check: bool = True) -> dict:
    latencies, last = [], []
    for key, sent in run.sent.items():
        arrived = run.arrivals.get(key, [])
        latencies += [t - sent for t in arrived]
        if len(arrived) == MEMBERS:
            last.append(max(arrived) - sent)
    stored = Message.objects.filter(chat=run.chat, text__startswith=tag + "-")
    # The floor stores nothing: what it confirmed counts as stored.
    stored_ids = set(stored.values_list("pk", flat=True)) if stored_check else set(run.confirmed)
    confirmed_lost = len(run.confirmed - stored_ids)
    return {
        "confirmed": len(run.confirmed),
        "confirmed_lost": confirmed_lost,
        "rate": rate,
        "posted": total,
        "receptions": len(latencies),
        "expected": total * MEMBERS,
        "lost": total * MEMBERS - len(latencies),
        "duplicates": run.duplicates,
        "stored": len(stored_ids),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "max": max(latencies, default=float("nan")),
        "last_p99": percentile(last, 99),
        "cpu": cpu,
        "closed": [code for code in run.closed if code not in (1000, 1001, None)],
        # member -> how many posts of the run it never received, for the members that missed any
        "missed": {
            member: len(set(run.sent) - run.received_by.get(member, set()))
            for member in range(len(run.members))
            if set(run.sent) - run.received_by.get(member, set())
        },
    }


def print_chat(row: dict):
    print(
        (f"{row['server']}: {row['cpu_per_frame'] * 1e6:.0f} µs server CPU/frame | " if "server" in row else "")
        + f"{row['rate']:>6.0f} msg/s | posted {row['posted']} confirmed {row['confirmed']} stored {row['stored']} "
        f"(confirmed, not stored: {row['confirmed_lost']}) | "
        f"received {row['receptions']}/{row['expected']} lost {row['lost']} dup {row['duplicates']} | "
        f"p50 {ms(row['p50'])} p95 {ms(row['p95'])} p99 {ms(row['p99'])} max {ms(row['max'])} "
        f"last-member p99 {ms(row['last_p99'])} ms | CPU {' / '.join(f'{c:.0%}' for c in row['cpu'][:-1])}"
        f" (client {row['cpu'][-1]:.0%})"
        + (f" | abnormal closes {row['closed']}" if row["closed"] else "")
        + (f" | missed (member: posts) {row['missed']}" if row.get("missed") else ""),
        flush=True,
    )


# Staff on the REST API


FAMILIES = (
    "contacts list",
    "contact detail",
    "contact create",
    "contact update",
    "leads list",
    "deals list",
    "tasks list",
    "chats list",
)


async def staff_member(
    client: httpx.AsyncClient, token: str, until: float, results: dict, contact_ids: list[int], think: float
):
    """One member of staff calling the API until `until`, pausing `think` seconds on average between calls."""
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(token)  # noqa: S311 - a load mix, not a secret
    while time.monotonic() < until:
        if think:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
        family = rng.choices(FAMILIES, weights=(4, 4, 1, 1, 2, 2, 2, 2))[0]
        if family == "contacts list":
            call = client.get("/api/contacts/", headers=headers)
        elif family == "contact detail":
            call = client.get(f"/api/contacts/{rng.choice(contact_ids)}/", headers=headers)
        elif family == "contact create":
            call = client.post("/api/contacts/", json={"first_name": "Bench", "last_name": "Load"}, headers=headers)
        elif family == "contact update":
            call = client.patch(
                f"/api/contacts/{rng.choice(contact_ids)}/", json={"last_name": "Updated"}, headers=headers
            )
        else:
            path = {"leads list": "/api/leads/", "deals list": "/api/deals/", "tasks list": "/api/tasks/"}.get(
                family, "/api/chat/chats/"
            )
            call = client.get(path, headers=headers)
        started = time.monotonic()
        try:
            response = await call
            status = response.status_code
            if family == "contact create" and status == 201:
                contact_ids.append(response.json()["id"])
        except httpx.HTTPError:
            status = 599
        results.setdefault(family, []).append((time.monotonic() - started, status))


async def staff(urls: list[str], tokens: list[str], contact_ids: list[int], seconds: float, think: float) -> dict:
    results: dict[str, list] = {}
    clients = [httpx.AsyncClient(base_url=url, timeout=30, limits=httpx.Limits(max_connections=60)) for url in urls]
    until = time.monotonic() + seconds
    await asyncio.gather(
        *(
            staff_member(clients[n % len(clients)], token, until, results, contact_ids, think)
            for n, token in enumerate(tokens)
        )
    )
    for client in clients:
        await client.aclose()
    return results


def staff_process(urls: list[str], tokens: list[str], contact_ids: list[int], seconds: float, think: float) -> dict:
    """The staff's calls in a process of their own: the chat's sockets and clock do not wait behind them."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    started, cpu = time.monotonic(), time.process_time()
    results = asyncio.run(staff(urls, tokens, contact_ids, seconds, think))
    return results, (time.process_time() - cpu) / (time.monotonic() - started)


async def load(
    servers: Servers, api: Servers, chat: Chat, members: list[User], seconds: float, rate: float, think: float
) -> None:
    people = await asyncio.to_thread(bench_people, STAFF, "staff")
    admin = people[0]
    admin.role = "admin"
    await asyncio.to_thread(admin.save, update_fields=["role"])
    tokens = await asyncio.to_thread(lambda: [str(RefreshToken.for_user(user).access_token) for user in people])
    contact_ids = await asyncio.to_thread(
        lambda: [
            Contact.objects.create(first_name="Bench", last_name=str(n), responsible=people[n % STAFF]).pk
            for n in range(200)
        ]
    )
    run = ChatRun(servers, chat, members)
    await run.open()
    await asyncio.sleep(1)
    tag = f"load-{time.time_ns()}"
    server_processes = servers.psutil if api is servers else [*servers.psutil, *api.psutil]
    meter = CpuMeter([*server_processes, psutil.Process()])  # the servers, then this client
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        urls = [server.url for server in api.processes]
        calls = asyncio.get_running_loop().run_in_executor(
            pool, staff_process, urls, tokens, contact_ids, seconds, think
        )
        total = await run.post(rate, seconds, tag)
        results, staff_cpu = await calls
    await run.drain(total)
    cpu = meter.shares()
    await run.close()
    requests = sum(len(rows) for rows in results.values())
    errors = sum(1 for rows in results.values() for _t, status in rows if status >= 500)
    where = "the socket processes" if api is servers else f"{len(api.processes)} processes of their own"
    if api.nice:
        where += f" at nice {api.nice}"
    pause = f"pausing {think:g} s between calls" if think else "never pausing"
    print(f"REST: {requests / seconds:.0f} requests/s; {STAFF} staff {pause}; {seconds:.0f} s", end="")
    print(f" on {where}; 5xx: {errors}; CPU of the staff's client {staff_cpu:.0%}")
    for family in FAMILIES:
        rows = results.get(family, [])
        times = [t for t, _status in rows]
        statuses = sorted({status for _t, status in rows})
        p50, p99 = ms(percentile(times, 50)), ms(percentile(times, 99))
        print(f"  {family:<15} {len(rows):>6} calls  p50 {p50} ms  p99 {p99} ms  statuses {statuses}")
    print("Chat during the load (CPU: the socket processes, then the REST ones; the client is the chat's):")
    print_chat(await asyncio.to_thread(summarize, run, total, tag, cpu, rate))


# Floor


def floor(redis_url: str) -> float:
    client = redis.Redis.from_url(redis_url)
    pings = []
    for _ in range(500):
        started = time.monotonic()
        client.ping()
        pings.append(time.monotonic() - started)
    inserts = []
    chat = Chat.objects.get(name=f"{PREFIX}-room")
    with connection.cursor() as cursor:
        for n in range(200):
            started = time.monotonic()
            cursor.execute(
                "INSERT INTO chat_message (chat_id, author_id, text, status, created_at)"
                " VALUES (%s, NULL, %s, 'sent', now())",
                [chat.pk, f"floor-{n}"],
            )
            inserts.append(time.monotonic() - started)
        cursor.execute("DELETE FROM chat_message WHERE chat_id = %s AND text LIKE 'floor-%%'", [chat.pk])
    print(
        f"floor: Redis round trip p50 {ms(percentile(pings, 50))} ms p99 {ms(percentile(pings, 99))} ms; "
        f"hand INSERT (autocommit) p50 {ms(percentile(inserts, 50))} ms p99 {ms(percentile(inserts, 99))} ms",
        flush=True,
    )
    return percentile(pings, 50) + percentile(inserts, 50)


def chat_against_floor(args, log_dir: Path, redis_url: str, chat: Chat, members: list[User], floor_seconds: float):
    """Every rate on the bare floor, then on each server of `--server`, one group of processes at a time."""
    rates = [float(r) for r in args.rates.split(",")]
    names = ([] if args.no_floor else ["floor"]) + args.server.split(",")
    rows = []
    # The client reads up to 30,000 frames a second: on uvloop it falls behind later than the servers do.
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    for name in names:
        if name == "floor":
            group = BareFloor(args.processes, log_dir, redis_url, chat)
        else:
            group = Servers(args.processes, log_dir, redis_url, server=name)
        try:
            for rate in rates:
                row = asyncio.run(chat_rate(group, chat, members, rate, args.seconds or 30))
                row["load"] = os.getloadavg()[0]
                print_chat(row)
                print(f"       p50 / floor: {row['p50'] / floor_seconds:.1f}x", flush=True)
                rows.append(row)
        finally:
            group.stop()
    floor_cpu = {row["rate"]: row["cpu_per_frame"] for row in rows if row["server"] == "floor"}
    print("\n| server | rate | server CPU per frame | ratio to the floor | p50 | p99 | lost | dup | load (1 min) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        ratio = row["cpu_per_frame"] / floor_cpu[row["rate"]] if row["rate"] in floor_cpu else float("nan")
        print(
            f"| {row['server']} | {row['rate']:.0f} msg/s | {row['cpu_per_frame'] * 1e6:.0f} µs | {ratio:.2f}x "
            f"| {ms(row['p50'])} ms | {ms(row['p99'])} ms | {row['lost']} | {row['duplicates']} | {row['load']:.2f} |"
        )


def main():
    if sys.argv[1:2] == ["office"]:  # issue 27's office day lives in bench/office.py, which imports this module
        sys.modules.setdefault("bench.realtime", sys.modules[__name__])
        from bench import office

        return office.main(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["chat", "load"])
    parser.add_argument("--rates", default="100,300,600", help="messages per second, comma-separated (chat)")
    parser.add_argument("--rate", type=float, default=100, help="messages per second during the load")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--processes", type=int, default=2, help="server processes holding the chat's sockets")
    parser.add_argument(
        "--api-processes",
        type=int,
        default=0,
        help="load: server processes of their own for the REST calls (0: the socket processes serve them too)",
    )
    parser.add_argument("--think", type=float, default=0, help="load: a member of staff's mean pause between calls, s")
    parser.add_argument("--api-nice", type=int, default=0, help="load: the niceness of those REST processes")
    parser.add_argument(
        "--server",
        default=SOCKET_SERVER,
        help="ASGI servers, comma-separated: daphne, uvicorn (uvicorn-legacy: its older websockets protocol)",
    )
    parser.add_argument("--no-floor", action="store_true", help="chat: skip the bare websockets floor")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request drowns the report
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        sys.exit("set DATABASE_URL (PostgreSQL) and REDIS_URL")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=BASE_DIR, check=True)
    with connection.cursor() as cursor:
        print(yardstick(cursor))
    members = bench_people(MEMBERS, "member")
    chat = bench_chat(members)
    bench_redis = BenchRedis()
    floor_seconds = floor(bench_redis.url)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-realtime-"))
    if args.mode == "chat":
        try:
            chat_against_floor(args, log_dir, bench_redis.url, chat, members, floor_seconds)
        finally:
            bench_redis.stop()
        return
    servers = Servers(args.processes, log_dir, bench_redis.url, server=args.server)
    api = Servers(args.api_processes, log_dir, bench_redis.url, args.api_nice) if args.api_processes else servers
    try:
        asyncio.run(load(servers, api, chat, members, args.seconds or 60, args.rate, args.think))
    finally:
        for group in {servers, api}:
            group.stop()
        bench_redis.stop()


if __name__ == "__main__":
    main()
