"""Helpers for consumer tests: open sockets on the real ASGI application, wait for an event type."""

import os
import socket
import subprocess
import sys
import time

import httpx
import psutil
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection

from users.services import ws_ticket_issue

ORIGIN = b"http://127.0.0.1"
TIMEOUT = 5


async def issue_ticket(user) -> str:
    return await database_sync_to_async(ws_ticket_issue)(user=user)


class Communicator(WebsocketCommunicator):
    """A communicator that can put back an output it looked at (`open_socket` peeks after the accept)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.held: list[dict] = []
        self.close_reason: str | None = None

    async def receive_output(self, timeout=1):
        if self.held:
            return self.held.pop(0)
        return await super().receive_output(timeout)

    async def receive_nothing(self, timeout=0.1, interval=0.01):
        return not self.held and await super().receive_nothing(timeout, interval)


async def open_socket(path: str, *, user=None, ticket: str | None = None, origin: bytes = ORIGIN, headers=()):
    """Connect to `path` (with a fresh ticket for `user`); returns (communicator, connected, close code).

    A refused socket is accepted and closed at once (crm.realtime.websocket): it counts as not
    connected, with the close's code, and its reason in `communicator.close_reason`.
    The close follows the accept without a pause, so it is already waiting when the
    accept is read.
    """
    from crm.asgi import application  # importing it sets Django up, so not at module level

    if user is not None and ticket is None:
        ticket = await issue_ticket(user)
    query = f"?ticket={ticket}" if ticket else ""
    communicator = Communicator(
        application, path + query, headers=[(b"origin", origin), (b"host", b"127.0.0.1"), *headers]
    )
    connected, code = await communicator.connect(timeout=TIMEOUT)
    if connected and not communicator.output_queue.empty():
        first = communicator.output_queue.get_nowait()
        if first["type"] == "websocket.close":
            connected, code, communicator.close_reason = False, first.get("code", 1000), first.get("reason")
        else:
            communicator.held.append(first)
    if not connected:
        # As a server does once a socket is closed: the application hears it is gone and ends.
        await communicator.disconnect(timeout=TIMEOUT)
    return communicator, connected, code


async def receive_type(
    communicator: WebsocketCommunicator, event_type: str, *, timeout: float = TIMEOUT, **where
) -> dict:
    """The next event of `event_type` whose keys equal `where`, skipping others (presence changes...)."""
    while True:
        event = await communicator.receive_json_from(timeout=timeout)
        if event["type"] == event_type and all(event.get(key) == value for key, value in where.items()):
            return event


# Real server processes, for the tests that cross processes or drive a browser.


def shared_services_or_skip() -> dict:
    """The environment a server process needs to share this test's database and channel layer.

    The test database must be one that another process can open (PostgreSQL), and
    the channel layer one that another process can reach (Redis).
    """

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis shared with server processes: set DATABASE_URL and REDIS_URL")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {"DATABASE_URL": url, "REDIS_URL": settings.REDIS_URL}


def free_port() -> int:

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The ASGI server the socket processes run under in production (docs/realtime.md): uvicorn on uvloop and
# httptools, with the `websockets` package's sans-I/O protocol; bench/README.md measures it against daphne.
SOCKET_SERVER = "uvicorn"


def asgi_server_command(server: str, port: int) -> list[str]:
    """The command that serves `crm.asgi:application` on a loopback port under `server` (daphne or uvicorn)."""
    if server == "daphne":
        return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "crm.asgi:application"]
    if server in ("uvicorn", "uvicorn-legacy"):
        # uvicorn-legacy: the `websockets` package's older asyncio protocol, deprecated by uvicorn.
        ws = "websockets" if server == "uvicorn-legacy" else "websockets-sansio"
        return [
            *(sys.executable, "-m", "uvicorn", "crm.asgi:application", "--host", "127.0.0.1", "--port", str(port)),
            *("--loop", "uvloop", "--http", "httptools", "--ws", ws, "--lifespan", "off", "--no-access-log"),
            "--no-proxy-headers",  # as docs/deploy.md runs it: the client's address is TRUSTED_PROXY_COUNT's
        ]
    raise ValueError(f"unknown ASGI server {server!r}")


class LoopbackProcess:
    """A server of the project on a free loopback port, its output kept in `log_dir`; stopped by `stop()`."""

    name = "server"
    stop_timeout = 10

    def __init__(self, log_dir):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_dir / f"{self.name}-{self.port}.log", "w+b")  # noqa: SIM115 - closed in stop()

    def start(self, command: list[str], env: dict) -> None:
        self.process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 30) -> None:
        """Until the port takes connections."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise self.failed_to_start()

    def failed_to_start(self) -> RuntimeError:
        output = self.output()
        self.stop()
        return RuntimeError(f"{self.name} on port {self.port} did not start: {output}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class ServerProcess(LoopbackProcess):
    """`crm.asgi:application` under `server` on a loopback port, stopped by `stop()`; `nice` lowers its CPU priority."""

    def __init__(self, env: dict, log_dir, nice: int = 0, server: str = SOCKET_SERVER):
        super().__init__(log_dir)
        command = asgi_server_command(server, self.port)
        if nice:
            command = ["nice", "-n", str(nice), *command]
        self.start(command, {**os.environ, "DEBUG": "1", "ALLOWED_HOSTS": "127.0.0.1", **env})


class GunicornProcess(LoopbackProcess):
    """`gunicorn -c crm/gunicorn.py` with `workers` sync workers (WEB_CONCURRENCY) on a loopback port."""

    name = "gunicorn"
    stop_timeout = 30  # crm/gunicorn.py's graceful_timeout

    def __init__(self, workers: int, env: dict, log_dir):
        super().__init__(log_dir)
        self.workers = workers
        env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", **env}
        env |= {"WEB_CONCURRENCY": str(workers), "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        self.start([sys.executable, "-m", "gunicorn", "-c", "crm/gunicorn.py"], env)

    def wait_ready(self, timeout: float = 60) -> None:
        """Until `/api/` answers and the master has forked every worker (the first may answer before)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                answered = httpx.get(self.url + "/api/", timeout=2).status_code == 200
                if answered and len(self.forked()) >= self.workers:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise self.failed_to_start()

    def forked(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children()
