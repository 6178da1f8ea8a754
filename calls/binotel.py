"""Binotel's protocols: the REST API 4.0, the WebSocket event stream and the webhook body.

This module speaks the protocols only; what the calls become in our database is
`calls.sync`'s business. See INTEGRATIONS.md section 1 for where each detail comes from.
"""

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Generator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import requests
import websockets
from requests.adapters import HTTPAdapter
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt
from urllib3.util.retry import Retry

logger = logging.getLogger(__name__)

# list-of-calls-for-period refuses periods over 24 hours; a client that checked it live uses 23.
MAX_WINDOW = timedelta(hours=23)
RATE_LIMIT_CODE = 106
_WAIT_SECONDS = re.compile(r"after\s+(\d+(?:\.\d+)?)\s*sec", re.IGNORECASE)


class BinotelError(Exception):
    def __init__(self, message: str, *, code=None):
        super().__init__(message)
        self.code = code


class RateLimited(BinotelError):
    """ "Requests are too frequent. You can do this request after N sec.\""""

    def __init__(self, message: str, *, code=None, wait: float = 1.0):
        super().__init__(message, code=code)
        self.wait = wait


def http_session(*, retries: int = 4, backoff: float = 0.5) -> requests.Session:
    """A session that retries connection errors, 429 and 5xx with exponential backoff and jitter.

    The stats methods only read, so retrying their POSTs is safe.
    """
    retry = Retry(
        total=retries,
        backoff_factor=backoff,
        backoff_jitter=backoff,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"POST"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.mount("http://", HTTPAdapter(max_retries=retry))
    return session


class RestClient:
    """`POST {base_url}{group}/{method}.json` with the key and secret in the JSON body."""

    def __init__(
        self,
        *,
        base_url: str,
        key: str,
        secret: str,
        timeout: float = 30,
        session: requests.Session | None = None,
        rate_limit_attempts: int = 5,
        max_rate_limit_wait: float = 120,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/") + "/"
        self.key, self.secret = key, secret
        self.timeout = (min(timeout, 10), timeout)
        self.session = session or http_session()
        self.rate_limit_attempts = rate_limit_attempts
        self.max_rate_limit_wait = max_rate_limit_wait
        self.sleep = sleep

    def call(self, method: str, **params) -> dict:
        """One API method; the "too frequent" error is waited out (the seconds it names, plus jitter)."""
        retrying = Retrying(
            retry=retry_if_exception_type(RateLimited),
            wait=self._rate_limit_wait,
            stop=stop_after_attempt(self.rate_limit_attempts),
            sleep=self.sleep,
            reraise=True,
        )
        return retrying(self._call_once, method, params)

    def _rate_limit_wait(self, retry_state) -> float:
        error = retry_state.outcome.exception()
        return min(error.wait, self.max_rate_limit_wait) + random.uniform(0, 0.5)  # noqa: S311 - jitter

    def _call_once(self, method: str, params: dict) -> dict:
        url = f"{self.base_url}{method}.json"
        try:
            response = self.session.post(
                url, json={**params, "key": self.key, "secret": self.secret}, timeout=self.timeout
            )
        except requests.RequestException as error:
            raise BinotelError(f"{method}: {type(error).__name__}") from error
        try:
            body = response.json()
        except ValueError:
            raise BinotelError(f"{method}: HTTP {response.status_code}, not JSON") from None
        if not isinstance(body, dict):
            raise BinotelError(f"{method}: unexpected answer")
        if body.get("status") != "success":
            message = str(body.get("message") or body.get("error") or f"HTTP {response.status_code}")
            code = body.get("code")
            if str(code) == str(RATE_LIMIT_CODE) or "too frequent" in message.lower():
                found = _WAIT_SECONDS.search(message)
                raise RateLimited(message, code=code, wait=float(found.group(1)) if found else 1.0)
            raise BinotelError(f"{method}: {message}", code=code)
        return body

    def calls_for_period(self, start: datetime, stop: datetime) -> list[dict]:
        """Calls of all directions that started in [start, stop]; at most MAX_WINDOW long."""
        body = self.call(
            "stats/list-of-calls-for-period", startTime=int(start.timestamp()), stopTime=int(stop.timestamp())
        )
        return call_details(body)

    def call_record_url(self, general_call_id: str) -> str:
        """The short-lived link to a call's recording, or "" when Binotel has none."""
        body = self.call("stats/call-record", generalCallID=general_call_id, callID=general_call_id)
        url = body.get("url") or body.get("record") or ""
        return url if isinstance(url, str) else ""


def call_details(body: dict) -> list[dict]:
    """`callDetails` arrives as an object keyed by generalCallID or as a list; empty as "" or []."""
    details = body.get("callDetails") or []
    if isinstance(details, dict):
        details = list(details.values())
    if not isinstance(details, list):
        raise BinotelError("callDetails is neither an object nor a list")
    return details


def windows(since: datetime, until: datetime, *, size: timedelta = MAX_WINDOW) -> Iterator[tuple[datetime, datetime]]:
    """[start, stop] pairs covering since..until, each at most `size`; stop is inclusive to the second."""
    start = since
    while start < until:
        end = min(start + size, until)
        yield start, end - timedelta(seconds=1) if end - start > timedelta(seconds=1) else end
        start = end


def is_storage_url(url: str, *, hosts: Iterable[str]) -> bool:
    """Only an https link to Binotel's storage (a configured host or a subdomain of one) may be followed."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme != "https" or not host or parts.username or parts.password or port not in (None, 443):
        return False
    return any(host == allowed or host.endswith("." + allowed) for allowed in (h.lower().strip(".") for h in hosts))


# The webhook body: form-encoded with PHP-style keys, callDetails[historyData][0][waitsec]=13.

_KEY_PART = re.compile(r"\[([^\[\]]*)\]")


def unflatten(items: Iterable[tuple[str, str]]) -> dict:
    """Nest PHP-style keys as PHP's parse_str does; objects keyed 0..n-1 become lists."""
    root: dict = {}
    for key, value in items:
        head, _bracket, rest = key.partition("[")
        parts = [head, *_KEY_PART.findall("[" + rest)] if _bracket else [head]
        node = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if part == "":
                part = str(sum(1 for name in node if name.isdigit()))
            if last:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = node[part] = {}
                node = child
    return _lists(root)


def _lists(node):
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and sorted(converted) == sorted(str(i) for i in range(len(converted))):
        return [converted[str(i)] for i in range(len(converted))]
    return converted


# The WebSocket event stream.

# Binotel's one known answer to credentials it refuses (INTEGRATIONS.md 1b); nothing else means that.
AUTH_FAILURE = "bad username or password"
# Other plain text with these words is trouble on Binotel's side: the connection is dropped and
# opened again with backoff, as when it is lost.
TROUBLE_WORDS = ("error", "wrong", "denied", "fail", "unavailable", "try again")


class AuthFailed(Exception):
    pass


class StreamTrouble(Exception):
    """Binotel said something went wrong on its side: reconnect with backoff."""


def reconnect_delays(initial: float = 1.0, maximum: float = 60.0, factor: float = 2.0) -> Generator[float]:
    """Exponential backoff with full jitter: the n-th wait is random in [0, min(maximum, initial·factorⁿ)]."""
    delay = initial
    while True:
        yield random.uniform(delay / 2, delay)  # noqa: S311 - jitter, not cryptography
        delay = min(delay * factor, maximum)


def parse_frame(frame) -> dict | None:
    """An event from a text frame, or None for anything else (greetings, notices, garbage)."""
    if isinstance(frame, bytes):
        try:
            frame = frame.decode()
        except UnicodeDecodeError:
            return None
    try:
        event = json.loads(frame)
    except ValueError:
        return None
    return event if isinstance(event, dict) and event.get("eventName") else None


class Listener:
    """A long-running client of Binotel's WebSocket.

    `on_events(list)` receives events in the order they came, in batches as large
    as whatever arrived while the previous batch was being handled; `on_state(connected,
    detail)` hears about connections; `on_reconnected(since)` is called after a
    reconnection (and after the first connection when `last_complete_at` is given)
    with the moment the stream was last known complete, so the gap can be filled
    from the REST API.
    """

    def __init__(
        self,
        *,
        url: str,
        key: str,
        secret: str,
        on_events: Callable[[list[dict]], Awaitable[None]],
        on_state: Callable[[bool, str], Awaitable[None]] | None = None,
        on_reconnected: Callable[[datetime], Awaitable[None]] | None = None,
        ping_interval: float = 20,
        open_timeout: float = 10,
        delays: Callable[[], Generator[float]] = reconnect_delays,
        stable_after: float = 60,
        batch_size: int = 500,
        last_complete_at: datetime | None = None,
    ):
        self.url, self.key, self.secret = url, key, secret
        self.on_events, self.on_state, self.on_reconnected = on_events, on_state, on_reconnected
        self.ping_interval, self.open_timeout = ping_interval, open_timeout
        self.delays, self.stable_after, self.batch_size = delays, stable_after, batch_size
        self.connections = 0
        self.last_complete_at = last_complete_at
        self._queue: asyncio.Queue = asyncio.Queue()
        self._background: set[asyncio.Task] = set()

    async def run(self, stop: asyncio.Event) -> None:
        """Listen until `stop` is set; the events already received are handled before returning."""
        worker = asyncio.create_task(self._drain())
        reader = asyncio.create_task(self._read_forever())
        stopped = asyncio.create_task(stop.wait())
        drain = True
        try:
            await asyncio.wait({reader, stopped}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            drain = False  # cancelled, not stopped: drop what is queued
            raise
        finally:
            for task in (reader, stopped):
                task.cancel()
            await asyncio.gather(reader, stopped, return_exceptions=True)
            if drain:
                await self._queue.join()
            worker.cancel()
            await asyncio.gather(worker, *self._background, return_exceptions=True)
        if reader.done() and not reader.cancelled() and reader.exception():
            raise reader.exception()

    async def _read_forever(self) -> None:
        delays = None
        connector = websockets.connect(
            self.url,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_interval,
            open_timeout=self.open_timeout,
            reconnect_delays=self.delays,
            max_queue=1024,
        )
        async for connection in connector:
            opened = time.monotonic()
            try:
                await self._session(connection)
            except (websockets.ConnectionClosed, TimeoutError, OSError, StreamTrouble) as closed:
                logger.warning("Binotel WebSocket lost: %s", closed or type(closed).__name__)
            finally:
                self.last_complete_at = datetime.now(UTC)
                await self._state(False, "disconnected")
            if time.monotonic() - opened >= self.stable_after:
                delays = None
            delays = delays or self.delays()
            delay = next(delays)
            logger.info("reconnecting to Binotel in %.1f s", delay)
            await asyncio.sleep(delay)

    async def _session(self, connection) -> None:
        greeting = await asyncio.wait_for(connection.recv(), self.open_timeout)
        self._accept(greeting, before_auth=True)
        await connection.send(json.dumps({"task": "authLikeService", "key": self.key, "secret": self.secret}))
        self.connections += 1
        await self._state(True, "connected")
        if self.on_reconnected is not None and self.last_complete_at is not None:
            self._spawn(self.on_reconnected(self.last_complete_at))
        async for frame in connection:
            self._accept(frame)

    def _accept(self, frame, *, before_auth: bool = False) -> None:
        event = parse_frame(frame)
        if event is not None:
            self._queue.put_nowait(event)
            return
        text = frame if isinstance(frame, str) else repr(frame[:200])
        said = text.strip().lower()
        if not before_auth and said.startswith(AUTH_FAILURE):
            raise AuthFailed(text[:200])
        if not before_auth and "{" not in text and any(word in said for word in TROUBLE_WORDS):
            raise StreamTrouble(f"Binotel said {text[:200]!r}")
        logger.info("Binotel WebSocket says: %s", text[:200])

    async def _drain(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.batch_size and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self.on_events(batch)
            except Exception:
                logger.exception("could not handle %d Binotel events", len(batch))
            finally:
                for _event in batch:
                    self._queue.task_done()

    async def _state(self, connected: bool, detail: str) -> None:
        if self.on_state is not None:
            try:
                await self.on_state(connected, detail)
            except Exception:
                logger.exception("could not record the listener's state")

    def _spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
