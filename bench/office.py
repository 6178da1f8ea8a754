"""An office day on two cores (issue 27): `python bench/realtime.py office [--steps 100,200,400,800] [--seconds S]`.

Everything shares the machine, as it would on a small server: gunicorn serving the REST API
(crm/gunicorn.py, sync workers), two ASGI processes holding the chat's sockets (bench/realtime.py's
`Servers`), PostgreSQL, a Redis of the run's own, and the clients. During each step:

- N staff (admins and employees mixed), each pausing 5 s on average (exponential) between mixed
  REST calls: lists, details, creates, updates and the global search, weighted like an office's
  day, from one asyncio client process per 400 staff;
- one 50-member chat posting 20 messages a second over the sockets (bench/realtime.py's `ChatRun`);
- Binotel's CRM webhooks at 5 a second, form-encoded as Binotel posts them (each call:
  receivedTheCall, answeredTheCall, hangupTheCall, apiCallCompleted).

First, in the same run, the idle reference: the same chat and webhooks with a handful of staff.
A step passes when every family's p99 (lists, details, creates, updates, search, the webhook) is
within 3x its idle p99, the chat's p99 within 3x its idle p99, with no 5xx (or failed connection)
and nothing lost (every chat reception, every post stored, every call stored as completed).
Prints a table per step and the largest passing N; exits 1 when that is under 400.

`--sweep-workers 1,2,3,5` instead measures gunicorn alone: 16 staff who never pause (its workers never wait for
work), for `--seconds` at each worker count: requests a second, p50/p99, gunicorn's CPU (the sizing rule).
"""

import argparse
import asyncio
import json
import logging
import math
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import psutil
from django.db import connection, transaction
from django.utils import timezone

from bench import realtime  # sets Django up with the benchmark's secret key
from calls.models import Call
from calls.tests import samples
from contacts.models import Contact, Phone
from crm.tests.support.sockets import GunicornProcess
from deals.models import Deal, Pipeline, Stage
from leads.models import Lead
from tasks.models import Task
from users.models import Role, User

RATIO_LIMIT = 3.0
PASS_AT = 400
STAFF_SEEDED = 800
THINK = 5.0  # a member of staff's mean pause between calls, s
CHAT_RATE = 20.0  # messages a second
BINOTEL_RATE = 5.0  # webhooks a second
STAFF_PER_CLIENT = 400
IDLE_STAFF = 10
# The handful pause less and for twice as long, so that the idle p99 of the rarer families (creates: one
# call in 25) rests on more than a few calls.
IDLE_THINK = 1.0
IDLE_LENGTH = 2
WARM_UP_SECONDS = 10
# Signed for the whole run, which outlasts the access tokens' 15 minutes when its steps are long.
TOKEN_LIFETIME = timedelta(hours=12)
REQUEST_TIMEOUT = 30  # seconds; a call that takes longer counts as failed (599)
SWEEP_STAFF = 16
ADMIN_EVERY = 8  # one member of staff in 8 is an admin, who sees everything
SEED = {"contacts": 4000, "leads": 2000, "deals": 3000, "tasks": 4000}
SURNAMES = (
    *("Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник", "Шевчук", "Поліщук", "Бойко"),
    *("Мельник", "Лисенко", "Савченко", "Руденко", "Марченко", "Петренко", "Клименко", "Павленко", "Мороз"),
)
WORDS = ("Office", "Oleh", "Kyiv", "Lviv", "Order", *SURNAMES[:10])

# name: (family, weight per 100 calls): reads, as in an office's day, about six calls in seven
ENDPOINTS = {
    "contacts list": ("list", 14),
    "leads list": ("list", 7),
    "deals list": ("list", 9),
    "tasks list": ("list", 12),
    "chats list": ("list", 6),
    "contact detail": ("detail", 12),
    "deal detail": ("detail", 10),
    "task detail": ("detail", 8),
    "search": ("search", 8),
    "contact create": ("create", 2),
    "task create": ("create", 2),
    "contact update": ("update", 4),
    "deal update": ("update", 3),
    "task update": ("update", 3),
}
FAMILIES = ("list", "detail", "create", "update", "search", "webhook")


# Data


def office_staff(count: int) -> list[User]:
    people = realtime.bench_people(count, "office")
    admins = [user.pk for n, user in enumerate(people) if n % ADMIN_EVERY == 0]
    User.objects.filter(pk__in=admins).update(role=Role.ADMIN)
    User.objects.filter(pk__in=[user.pk for user in people]).exclude(pk__in=admins).update(role=Role.EMPLOYEE)
    for n, user in enumerate(people):
        user.role = Role.ADMIN if n % ADMIN_EVERY == 0 else Role.EMPLOYEE
    return people


def seed(people: list[User]) -> None:
    """A few thousand contacts, leads, deals and tasks spread over the staff, once per database."""
    if Deal.objects.filter(title__startswith="Office deal ").count() >= SEED["deals"]:
        return
    started = time.monotonic()
    with transaction.atomic():  # all or nothing: a run stopped halfway must not leave phones a re-run repeats
        seed_rows(people)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded {SEED} in {time.monotonic() - started:.1f} s", flush=True)


def seed_rows(owner: list[User]) -> None:
    contacts = Contact.objects.bulk_create(
        Contact(
            first_name=random.choice(("Oleh", "Iryna", "Taras", "Olena", "Petro")),  # noqa: S311
            last_name=SURNAMES[n % len(SURNAMES)],
            email=f"office-{n}@example.com",
            responsible=owner[n % len(owner)],
        )
        for n in range(SEED["contacts"])
    )
    Phone.objects.bulk_create(Phone(contact=contact, number=contact_number(n)) for n, contact in enumerate(contacts))
    Lead.objects.bulk_create(
        Lead(name=f"Office lead {n}", responsible=owner[n % len(owner)], created_by=owner[n % len(owner)])
        for n in range(SEED["leads"])
    )
    pipeline, _created = Pipeline.objects.get_or_create(name="Office bench")
    stages = [
        Stage.objects.get_or_create(pipeline=pipeline, position=n, defaults={"name": f"Stage {n}"})[0] for n in range(5)
    ]
    Deal.objects.bulk_create(
        Deal(
            title=f"Office deal {n}",
            contact=contacts[n % len(contacts)],
            pipeline=pipeline,
            stage=stages[n % len(stages)],
            amount=n % 1000,
            responsible=owner[n % len(owner)],
            created_by=owner[n % len(owner)],
        )
        for n in range(SEED["deals"])
    )
    today = timezone.localdate()
    tasks = Task.objects.bulk_create(
        Task(
            name=f"Office task {n}",
            date=today + timedelta(days=n % 60 - 30),
            created_by=owner[n % len(owner)],
            contact=contacts[n % len(contacts)] if n % 3 == 0 else None,
        )
        for n in range(SEED["tasks"])
    )
    Task.responsible.through.objects.bulk_create(
        Task.responsible.through(task_id=task.pk, user_id=owner[n % len(owner)].pk) for n, task in enumerate(tasks)
    )


def contact_number(n: int) -> str:
    return f"+38067{n:07d}"


def staff_cards(people: list[User]) -> list[dict]:
    """What each member of staff's client needs: a token and ids of records they may open and change."""
    mine: dict[str, dict[int, list[int]]] = {"contacts": {}, "deals": {}, "tasks": {}}
    for kind, rows in (
        ("contacts", Contact.objects.filter(email__startswith="office-").values_list("responsible_id", "pk")),
        ("deals", Deal.objects.filter(title__startswith="Office deal ").values_list("responsible_id", "pk")),
        ("tasks", Task.objects.filter(name__startswith="Office task ").values_list("created_by_id", "pk")),
    ):
        for user_id, pk in rows:
            mine[kind].setdefault(user_id, []).append(pk)
    everyone = {kind: [pk for pks in by_user.values() for pk in pks] for kind, by_user in mine.items()}
    rng = random.Random(27)  # noqa: S311 - a load mix, not a secret
    cards = []
    for user in people:
        token = realtime.RefreshToken.for_user(user).access_token
        token.set_exp(lifetime=TOKEN_LIFETIME)
        card = {"id": user.pk, "token": str(token), "email": user.email}
        for kind in mine:
            own = mine[kind].get(user.pk, [])
            card[kind] = rng.sample(everyone[kind], 20) if user.role == Role.ADMIN else own
        cards.append(card)
    return cards


# The REST client: one process per STAFF_PER_CLIENT staff


def request_for(name: str, card: dict, rng: random.Random) -> tuple[str, str, dict | None]:
    def one(kind: str) -> int:
        return rng.choice(card[kind])

    kind = {"contact": "contacts", "deal": "deals", "task": "tasks"}.get(name.split()[0])
    if kind and name.split()[1] in ("detail", "update") and not card[kind]:
        name = f"{kind} list"  # staff the seed gave none of these (seeded for fewer staff)
    match name:
        case "contacts list":
            return "GET", "/api/contacts/", None
        case "leads list":
            return "GET", "/api/leads/", None
        case "deals list":
            return "GET", "/api/deals/", None
        case "tasks list":
            return "GET", "/api/tasks/", None
        case "chats list":
            return "GET", "/api/chat/chats/", None
        case "contact detail":
            return "GET", f"/api/contacts/{one('contacts')}/", None
        case "deal detail":
            return "GET", f"/api/deals/{one('deals')}/", None
        case "task detail":
            return "GET", f"/api/tasks/{one('tasks')}/", None
        case "search":
            return "GET", f"/api/search/?{urlencode({'q': rng.choice(WORDS)})}", None
        case "contact create":
            body = {"first_name": "Office", "last_name": rng.choice(SURNAMES), "email": "new@example.com"}
            return "POST", "/api/contacts/", body
        case "task create":
            body = {"name": "Call back", "date": timezone.localdate().isoformat(), "responsible": [card["id"]]}
            return "POST", "/api/tasks/", body
        case "contact update":
            return (
                "PATCH",
                f"/api/contacts/{one('contacts')}/",
                {"delivery_method": rng.choice(("Nova Poshta", "Ukrposhta"))},
            )
        case "deal update":
            return "PATCH", f"/api/deals/{one('deals')}/", {"description": f"Called {rng.randrange(100)} times"}
        case "task update":
            return "PATCH", f"/api/tasks/{one('tasks')}/", {"priority": rng.randint(1, 4)}
    raise ValueError(name)


async def http_call(url: str, method: str, path: str, headers: dict, body: bytes = b"") -> int:
    """One request on a connection of its own, as nginx sends one to gunicorn; the answer's status (599: failed).

    gunicorn's sync workers close every connection after the response and wait (up to 2 s) for the client to
    close its side, so a client must read to the end and close at once, as nginx does. A pooled client with a
    hundred connections waiting on three workers (httpx) left them blocked most of the time (bench/README.md).
    """
    host, port = url.removeprefix("http://").split(":")
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close", f"Content-Length: {len(body)}"]
    head = "\r\n".join([*lines, *(f"{name}: {value}" for name, value in headers.items()), "", ""])
    writer = None
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT):
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(head.encode() + body)
            status_line = await reader.readline()
            await reader.read()  # to the end: the server closes
        return int(status_line.split()[1])
    except (OSError, TimeoutError, ValueError, IndexError):
        return 599
    finally:
        if writer is not None:
            writer.close()


async def staff_member(url: str, card: dict, until: float, think: float, results: list) -> None:
    headers = {"Authorization": f"Bearer {card['token']}", "Content-Type": "application/json"}
    rng = random.Random(card["id"])  # noqa: S311 - a load mix, not a secret
    names, weights = list(ENDPOINTS), [weight for _family, weight in ENDPOINTS.values()]
    while True:
        if think:
            await asyncio.sleep(rng.expovariate(1 / think))
        if time.monotonic() >= until:
            return
        name = rng.choices(names, weights)[0]
        method, path, body = request_for(name, card, rng)
        payload = json.dumps(body).encode() if body is not None else b""
        started = time.monotonic()
        status = await http_call(url, method, path, headers, payload)
        results.append((name, time.monotonic() - started, status))


async def staff(url: str, cards: list[dict], seconds: float, think: float) -> list:
    results: list = []
    until = time.monotonic() + seconds
    await asyncio.gather(*(staff_member(url, card, until, think, results) for card in cards))
    return results


def staff_process(url: str, cards: list[dict], seconds: float, think: float) -> tuple[list, float]:
    """In a process of its own (spawned): the calls, and the share of a CPU this client used."""
    started, cpu = time.monotonic(), time.process_time()
    results = asyncio.run(staff(url, cards, seconds, think))
    return results, (time.process_time() - cpu) / (time.monotonic() - started)


def warm_up() -> int:
    time.sleep(1)  # long enough that each warm-up lands in a process of its own
    return os.getpid()


# Binotel's webhooks


@dataclass
class BinotelRun:
    timings: list = field(default_factory=list)  # (seconds, status)
    completed: dict = field(default_factory=dict)  # binotel id -> the talk seconds apiCallCompleted sent


def call_events(call_id: str, rng: random.Random, emails: list[str]) -> tuple[list[str], int]:
    """One incoming call as Binotel's CRM integration posts it: four form-encoded bodies."""
    known = rng.random() < 0.5
    number = contact_number(rng.randrange(SEED["contacts"])) if known else f"+38093{rng.randrange(10**7):07d}"
    local = "0" + number.removeprefix("+380")
    internal, billsec = str(900 + rng.randrange(50)), str(rng.randrange(1, 300))
    common = {"generalCallID": call_id, "callID": call_id, "companyID": "11111"}
    completed = []
    for key, value in parse_qsl(samples.text("webhook_apiCallCompleted.form-urlencoded.txt"), keep_blank_values=True):
        if key.endswith(("[generalCallID]", "[callID]")):
            value = call_id
        elif key.endswith("[externalNumber]"):
            value = local
        elif key.endswith("[startTime]"):
            value = str(int(time.time()) - int(billsec))
        elif key.endswith("[billsec]"):
            value = billsec
        elif key.endswith("[email]"):
            value = rng.choice(emails)
        elif key.endswith("[internalNumber]"):
            value = internal
        completed.append((key, value))
    return [
        urlencode(
            {
                "requestType": "receivedTheCall",
                "attemptsCounter": "1",
                **common,
                "callType": "0",
                "externalNumber": local,
                "internalNumber": internal,
            }
        ),
        urlencode(
            {
                "requestType": "answeredTheCall",
                **common,
                "callType": "0",
                "externalNumber": local,
                "internalNumber": internal,
            }
        ),
        urlencode({"requestType": "hangupTheCall", **common, "billsec": billsec, "disposition": "ANSWER"}),
        urlencode(completed),
    ], int(billsec)


async def binotel(url: str, seconds: float, tag: str, emails: list[str]) -> BinotelRun:
    run = BinotelRun()
    rng = random.Random(tag)  # noqa: S311 - a load mix, not a secret
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    async def post(body: str) -> int:
        started = time.monotonic()
        status = await http_call(url, "POST", "/api/calls/binotel/webhook/", headers, body.encode())
        run.timings.append((time.monotonic() - started, status))
        return status

    pending, start, sent = [], time.monotonic(), 0
    for call in range(int(seconds * BINOTEL_RATE / 4)):
        call_id = f"{tag}{call:05d}"
        bodies, billsec = call_events(call_id, rng, emails)
        for n, body in enumerate(bodies):
            delay = start + sent / BINOTEL_RATE - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            sent += 1
            # Binotel does not wait for one answer before the next event; the call's last event is
            # the one whose answer says it was stored.
            task = asyncio.create_task(post(body))
            pending.append(task)
            if n == len(bodies) - 1:
                run.completed[call_id] = billsec
    await asyncio.gather(*pending)
    return run


def calls_lost(run: BinotelRun) -> int:
    stored = dict(Call.objects.filter(binotel_id__in=list(run.completed)).values_list("binotel_id", "talk_seconds"))
    return sum(1 for call_id, billsec in run.completed.items() if stored.get(call_id) != billsec)


# gunicorn


class Gunicorn(GunicornProcess):
    """crm/gunicorn.py on the socket processes' database and Redis, ready once every worker is forked."""

    def __init__(self, workers: int, log_dir: Path, redis_url: str):
        env = {**realtime.server_env(redis_url), "BINOTEL_WEBHOOK_ALLOWED_IPS": "127.0.0.1"}
        super().__init__(workers, env, log_dir)
        self.wait_ready()
        self.master = psutil.Process(self.process.pid)

    def cpu_seconds(self) -> float:
        """The master's and its workers' CPU, the workers that max_requests already replaced included."""
        times = self.master.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for worker in self.master.children():
            try:
                total += sum(worker.cpu_times()[:2])
            except psutil.NoSuchProcess:
                continue
        return total

    def scheduling(self) -> dict[int, tuple[float, float]]:
        """Each live worker's seconds on a CPU and waiting for one (Linux's /proc/<pid>/schedstat)."""
        seconds = {}
        for worker in self.master.children():
            try:
                on_cpu, waiting, _slices = Path(f"/proc/{worker.pid}/schedstat").read_text().split()
            except (OSError, ValueError):
                continue
            seconds[worker.pid] = (int(on_cpu) / 1e9, int(waiting) / 1e9)
        return seconds


# One step


@dataclass
class Step:
    staff: int
    seconds: float
    requests: list  # (endpoint, seconds, status)
    webhooks: BinotelRun
    chat: dict
    cpu: dict  # what -> share of one CPU, or a split of the wall time
    load: tuple[float, float, float]

    def family_times(self, family: str) -> list[float]:
        if family == "webhook":
            return [t for t, _status in self.webhooks.timings]
        return [t for name, t, _status in self.requests if ENDPOINTS[name][0] == family]

    def family_p99(self, family: str) -> float:
        return realtime.percentile(self.family_times(family), 99)

    def slowest(self, family: str) -> str:
        by_name: dict[str, list[float]] = {}
        for name, t, _status in self.requests:
            if ENDPOINTS[name][0] == family:
                by_name.setdefault(name, []).append(t)
        if not by_name:
            return ""
        name = max(by_name, key=lambda n: realtime.percentile(by_name[n], 99))
        return f"{name} {realtime.ms(realtime.percentile(by_name[name], 99))}"

    def statuses(self) -> list[int]:
        return [status for _name, _t, status in self.requests] + [status for _t, status in self.webhooks.timings]

    def errors(self) -> int:
        return sum(1 for status in self.statuses() if status >= 500)

    def refused(self) -> str:
        """The 4xx answers by endpoint: none is expected but the webhook's (see bench/README.md)."""
        counts = Counter(
            [(name, status) for name, _t, status in self.requests if 400 <= status < 500]
            + [("webhook", status) for _t, status in self.webhooks.timings if 400 <= status < 500]
        )
        return ", ".join(f"{name} {status}: {count}" for (name, status), count in sorted(counts.items())) or "none"

    def lost(self) -> dict:
        return {
            "chat receptions": self.chat["lost"],
            "chat posts not stored": self.chat["posted"] - self.chat["stored"],
            "chat posts confirmed, not stored": self.chat["confirmed_lost"],
            "calls": calls_lost(self.webhooks),
        }


async def run_step(
    sockets: realtime.Servers,
    api: Gunicorn,
    pool: ProcessPoolExecutor,
    chat,
    members: list[User],
    cards: list[dict],
    think: float,
    seconds: float,
    emails: list[str],
) -> Step:
    run = realtime.ChatRun(sockets, chat, members)
    await run.open()
    await asyncio.sleep(1)
    tag = f"office{time.time_ns() // 10**6}"
    socket_meter = realtime.CpuMeter([*sockets.psutil, psutil.Process()])
    gunicorn_before, wall_before, machine_before = api.cpu_seconds(), time.monotonic(), psutil.cpu_times()
    scheduled = WorkerTimes(api)
    loop = asyncio.get_running_loop()
    chunks = [
        cards[n :: math.ceil(len(cards) / STAFF_PER_CLIENT)] for n in range(math.ceil(len(cards) / STAFF_PER_CLIENT))
    ]
    clients = [loop.run_in_executor(pool, staff_process, api.url, chunk, seconds, think) for chunk in chunks]
    calls = asyncio.create_task(binotel(api.url, seconds, tag, emails))
    total = await run.post(CHAT_RATE, seconds, tag)
    outcomes = await asyncio.gather(*clients)
    webhooks = await calls
    # gunicorn's and the machine's share over the calls; the socket processes' below also over the chat's drain.
    wall = time.monotonic() - wall_before
    gunicorn_cpu, workers = api.cpu_seconds() - gunicorn_before, scheduled.shares()
    machine = psutil.cpu_times()
    busy = sum(machine) - machine.idle - (sum(machine_before) - machine_before.idle)
    await run.drain(total)
    socket_cpu = socket_meter.shares()
    cpu = {
        **{f"socket process {n + 1}": share for n, share in enumerate(socket_cpu[:-1])},
        "gunicorn": gunicorn_cpu / wall,
        "chat and webhook client": socket_cpu[-1],
        **{f"staff client {n + 1}": share for n, (_results, share) in enumerate(outcomes)},
        f"machine (of {psutil.cpu_count()} CPUs)": busy / wall,
    }
    cpu["a gunicorn worker running / waiting for a CPU / blocked"] = workers
    await run.close()
    chat_row = await asyncio.to_thread(realtime.summarize, run, total, tag, socket_cpu, CHAT_RATE)
    requests = [row for results, _share in outcomes for row in results]
    return Step(len(cards), seconds, requests, webhooks, chat_row, cpu, os.getloadavg())


def verdict(step: Step, idle: Step) -> list[str]:
    """Why the step fails; empty when it passes."""
    reasons = []
    for family in FAMILIES:
        limit = RATIO_LIMIT * idle.family_p99(family)
        if not step.family_p99(family) <= limit:
            reasons.append(f"{family} p99 {realtime.ms(step.family_p99(family))} ms > {realtime.ms(limit)}")
    chat_limit = RATIO_LIMIT * idle.chat["p99"]
    if not step.chat["p99"] <= chat_limit:
        reasons.append(f"chat p99 {realtime.ms(step.chat['p99'])} ms > {realtime.ms(chat_limit)}")
    if step.errors():
        reasons.append(f"{step.errors()} 5xx")
    reasons += [f"{count} {what} lost" for what, count in step.lost().items() if count]
    return reasons


def print_step(label: str, step: Step, idle: Step | None) -> None:
    rate = len(step.requests) / step.seconds
    print(
        f"\n{label}: {step.staff} staff, {rate:.1f} REST requests/s + {CHAT_RATE:g} chat msg/s + "
        f"{BINOTEL_RATE:g} webhooks/s for {step.seconds:g} s; load average {' '.join(f'{x:.2f}' for x in step.load)}"
    )
    print(f"  {'family':<8} {'calls':>6} {'p50 ms':>8} {'p99 ms':>8} {'idle p99':>9} {'ratio':>6}  slowest p99 (ms)")
    for family in FAMILIES:
        times = step.family_times(family)
        p99 = step.family_p99(family)
        reference = f"{realtime.ms(idle.family_p99(family)):>9} {p99 / idle.family_p99(family):>5.1f}x" if idle else ""
        print(
            f"  {family:<8} {len(times):>6} {realtime.ms(realtime.percentile(times, 50)):>8} "
            f"{realtime.ms(p99):>8} {reference:<16}  {step.slowest(family)}"
        )
    chat = step.chat
    reference = f"{realtime.ms(idle.chat['p99']):>9} {chat['p99'] / idle.chat['p99']:>5.1f}x" if idle else ""
    print(
        f"  {'chat':<8} {chat['receptions']:>6} {realtime.ms(chat['p50']):>8} {realtime.ms(chat['p99']):>8} "
        f"{reference:<16}  posted {chat['posted']}, stored {chat['stored']}, lost receptions {chat['lost']}"
    )
    lost = ", ".join(f"{what} {count}" for what, count in step.lost().items())
    print(f"  5xx (and failed connections) {step.errors()}; 4xx: {step.refused()}; lost: {lost}")
    shares = {what: share for what, share in step.cpu.items() if not isinstance(share, tuple)}
    print("  CPU: " + ", ".join(f"{what} {share:.0%}" for what, share in shares.items()))
    for what, split in step.cpu.items():
        if isinstance(split, tuple):
            print(f"  {what}: {' / '.join(f'{share:.0%}' for share in split)}", flush=True)


# Sizing gunicorn


class WorkerTimes:
    """The workers' shares of their time: running, waiting for a CPU, and blocked (on PostgreSQL, Redis or the
    next request). Sampled twice a second in a thread, so that a worker max_requests replaces mid-step counts
    for the time it was seen and its successor from when it appears."""

    INTERVAL = 0.5

    def __init__(self, api: "Gunicorn"):
        self.api = api
        self.first: dict[int, tuple[float, float, float]] = {}  # pid -> (clock, on a CPU, waiting)
        self.last: dict[int, tuple[float, float, float]] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while True:
            now = time.monotonic()
            for pid, (on_cpu, waiting) in self.api.scheduling().items():
                self.first.setdefault(pid, (now, on_cpu, waiting))
                self.last[pid] = (now, on_cpu, waiting)
            if self.done.wait(self.INTERVAL):
                return

    def shares(self) -> tuple[float, float, float]:
        self.done.set()
        self.thread.join()
        seen = sum(self.last[pid][0] - first[0] for pid, first in self.first.items())
        if seen <= 0:
            return float("nan"), float("nan"), float("nan")
        running = sum(self.last[pid][1] - first[1] for pid, first in self.first.items()) / seen
        queued = sum(self.last[pid][2] - first[2] for pid, first in self.first.items()) / seen
        return running, queued, 1 - running - queued


def sweep_workers(counts: list[int], seconds: float, cards: list[dict], log_dir: Path, redis_url: str, pool) -> None:
    """Each worker count with every worker always busy: how much of a request is CPU and how much is waiting."""
    print(f"\ngunicorn alone: {SWEEP_STAFF} staff who never pause, {seconds:g} s per worker count")
    print(
        f"  {'workers':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'5xx':>4} {'CPU':>5} {'CPU/request':>12}"
        "   a worker's time: running / waiting for a CPU / blocked   load average"
    )
    for workers in counts:
        api = Gunicorn(workers, log_dir, redis_url)
        try:
            before, scheduled, started = api.cpu_seconds(), WorkerTimes(api), time.monotonic()
            results, _share = pool.submit(staff_process, api.url, cards[:SWEEP_STAFF], seconds, 0).result()
            cpu, wall = api.cpu_seconds() - before, time.monotonic() - started
            running, queued, blocked = scheduled.shares()
        finally:
            api.stop()
        times = [t for _name, t, _status in results]
        errors = sum(1 for _name, _t, status in results if status >= 500)
        print(
            f"  {workers:>7} {len(results) / seconds:>7.1f} {realtime.ms(realtime.percentile(times, 50)):>8} "
            f"{realtime.ms(realtime.percentile(times, 99)):>8} {errors:>4} {cpu / wall:>5.0%} "
            f"{realtime.ms(cpu / max(len(results), 1)):>9} ms   {running:>27.0%} / {queued:.0%} / {blocked:.0%}"
            f"   {os.getloadavg()[0]:.2f}",
            flush=True,
        )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="bench/realtime.py office", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", default="100,200,400,800", help="staff per step, comma-separated")
    parser.add_argument(
        "--seconds", type=float, default=60, help="seconds a step lasts (the idle reference: twice as long)"
    )
    parser.add_argument("--workers", type=int, default=0, help="gunicorn's workers (0: crm/gunicorn.py's rule)")
    parser.add_argument("--sweep-workers", default="", help="measure gunicorn alone at these worker counts instead")
    args = parser.parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request drowns the report
    steps = [int(n) for n in args.steps.split(",")]
    if connection.vendor != "postgresql":
        sys.exit("set DATABASE_URL (PostgreSQL) and REDIS_URL")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=realtime.BASE_DIR, check=True)
    with connection.cursor() as cursor:
        print(realtime.yardstick(cursor))
    people = office_staff(max(*steps, STAFF_SEEDED))  # the same staff own the seeded rows in every run
    seed(people)
    cards = staff_cards(people)
    members = realtime.bench_people(realtime.MEMBERS, "member")
    chat = realtime.bench_chat(members)
    bench_redis = realtime.BenchRedis()
    log_dir = Path(tempfile.mkdtemp(prefix="bench-office-"))
    clients = max(1, math.ceil(max(steps) / STAFF_PER_CLIENT))
    pool = ProcessPoolExecutor(max_workers=clients, mp_context=multiprocessing.get_context("spawn"))
    for future in [pool.submit(warm_up) for _ in range(clients)]:
        future.result()
    try:
        if args.sweep_workers:
            sweep_workers(
                [int(n) for n in args.sweep_workers.split(",")], args.seconds, cards, log_dir, bench_redis.url, pool
            )
            return
        sockets = realtime.Servers(2, log_dir, bench_redis.url)
        api = Gunicorn(args.workers or default_workers(), log_dir, bench_redis.url)
        try:
            print(
                f"gunicorn: {len(api.master.children())} sync workers; sockets: {len(sockets.processes)} ASGI processes"
            )
            emails = [card["email"] for card in cards]
            handful = [card for n, card in enumerate(cards) if n < IDLE_STAFF]
            # Unmeasured: every worker's first requests (connections, caches) would weigh on the idle p99.
            asyncio.run(run_step(sockets, api, pool, chat, members, cards[:20], IDLE_THINK, WARM_UP_SECONDS, emails))
            idle_seconds = IDLE_LENGTH * args.seconds
            idle = asyncio.run(run_step(sockets, api, pool, chat, members, handful, IDLE_THINK, idle_seconds, emails))
            print_step(f"idle reference ({IDLE_STAFF} staff pausing {IDLE_THINK:g} s)", idle, None)
            passing, table = 0, []
            for count in steps:
                step = asyncio.run(
                    run_step(sockets, api, pool, chat, members, cards[:count], THINK, args.seconds, emails)
                )
                print_step(f"step {count}", step, idle)
                reasons = verdict(step, idle)
                print("  PASS" if not reasons else "  FAIL: " + "; ".join(reasons), flush=True)
                table.append((step, reasons))
                # A larger N counts only when every smaller one passed too.
                if all(not earlier for _step, earlier in table):
                    passing = count
            print_summary(idle, table)
            print(f"\nlargest passing N: {passing} (target: at least {PASS_AT})")
        finally:
            api.stop()
            sockets.stop()
    finally:
        pool.shutdown()
        bench_redis.stop()
    if passing < PASS_AT:
        sys.exit(1)


def default_workers() -> int:
    from crm.gunicorn import default_workers as rule

    return rule()


def print_summary(idle: Step, table: list) -> None:
    print(
        "\n| staff | REST req/s | "
        + " | ".join(f"{f} p99 (×idle)" for f in FAMILIES)
        + " | chat p99 (×idle) | 5xx | lost | load | verdict |"
    )
    print("|" + "---|" * (len(FAMILIES) + 7))
    for step, reasons in table:
        cells = [
            f"{realtime.ms(step.family_p99(f))} ({step.family_p99(f) / idle.family_p99(f):.1f}×)" for f in FAMILIES
        ]
        lost = sum(step.lost().values())
        print(
            f"| {step.staff} | {len(step.requests) / step.seconds:.1f} | "
            + " | ".join(cells)
            + f" | {realtime.ms(step.chat['p99'])} ({step.chat['p99'] / idle.chat['p99']:.1f}×)"
            + f" | {step.errors()} | {lost}"
            + f" | {step.load[0]:.1f} | {'pass' if not reasons else 'fail'} |"
        )
