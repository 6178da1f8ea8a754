"""Binotel's call data turned into upserts: shared by the listener, the REST backfill and the webhook.

Every piece of a call is brought within the calls table's columns (`crm.workers.records.fit`) when it is
parsed, and written under `crm.workers.records.write_each`: a call refused on the way in, whatever refused
it, is skipped with its reason (the run's summary, the worker's state) while the others are written.
A generalCallID longer than its column is refused, never cut: two cut ids would become one call.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException, NotFound

from calls.binotel import BinotelError, Listener, RestClient, is_storage_url, windows
from calls.models import Call, CallType, ListenerState
from calls.serializers import RECORDING_AVAILABLE
from calls.services import Batch, CallPiece, call_upsert, listener_state_set
from crm.api.parsing import parse_int
from crm.api.phones import normalize_phone
from crm.workers.records import Unfit, fit, without_nul, write_each

logger = logging.getLogger(__name__)

LISTENER = "listener"
BACKFILL = "backfill"
CALL_TYPES = {"0": CallType.INCOMING, "1": CallType.OUTGOING}


class MalformedCall(ValueError):
    pass


# Tolerant parsing: in webhooks every scalar is a string, in REST often too, "" stands for nothing.


def _int(value) -> int | None:
    """A count or a moment in ASCII digits; None for anything else. Its column's range is `fit`'s business."""
    try:
        number = parse_int(value, max_value=None)
    except ValidationError:
        return None
    return number if number >= 0 else None


def _text(value, limit: int | None) -> str:
    """Text without NUL characters; descriptive text is cut to its column, an id (limit None) never."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return ""
    return without_nul(str(value)).strip()[:limit]


def _moment(value) -> datetime | None:
    seconds = _int(value)
    if not seconds:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def client_number(raw) -> str:
    """The client's number in E.164 like contacts' phones; what cannot be parsed stays as its digits."""
    text = _text(raw, 32)
    if not text:
        return ""
    digits = "".join(ch for ch in text if ch.isdigit())
    for candidate in (text, "+" + digits if len(digits) >= 11 else None):
        if candidate:
            try:
                return normalize_phone(candidate)
            except ValidationError:
                continue
    return digits[:32]


def _call_id(payload: dict) -> str:
    call_id = _text(payload.get("generalCallID"), None)
    if not call_id:
        raise MalformedCall("no generalCallID")
    limit = Call._meta.get_field("binotel_id").max_length
    if len(call_id) > limit:
        raise MalformedCall(f"generalCallID is longer than {limit} characters")
    return call_id


def _fitted(piece: CallPiece) -> CallPiece:
    """The piece with values its columns hold, or MalformedCall naming the one that does not fit."""
    try:
        piece.fields = fit(Call, piece.fields)
    except Unfit as error:
        raise MalformedCall(str(error)) from None
    return piece


def piece_from_event(event: dict) -> CallPiece:
    """A WebSocket event (callStart, callAnswer, callStop) as a piece of its call."""
    name = event.get("eventName")
    piece = CallPiece(binotel_id=_call_id(event))
    fields = piece.fields
    if name in ("callStart", "callAnswer"):
        fields["type"] = CALL_TYPES.get(_text(event.get("callType"), 2), "")
        fields["external_number"] = client_number(event.get("externalNumber"))
    if name == "callStart":
        fields["started_at"] = _moment(event.get("startTime"))
        numbers = event.get("internalNumbers")
        piece.ringing_numbers = [_text(n, 20) for n in numbers if _text(n, 20)] if isinstance(numbers, list) else []
    elif name == "callAnswer":
        fields["answered_at"] = _moment(event.get("answeredAt"))
        fields["internal_number"] = _text(event.get("internalNumber"), 20)
    elif name == "callStop":
        fields["ended_at"] = _moment(event.get("stopTime"))
        fields["talk_seconds"] = _int(event.get("billsec"))
        fields["disposition"] = _text(event.get("disposition"), 20)
    else:
        raise MalformedCall(f"unknown event {name!r}")
    return _fitted(piece)


def piece_from_record(record: dict) -> CallPiece:
    """A call record of the REST stats methods or of the apiCallCompleted webhook."""
    if not isinstance(record, dict):
        raise MalformedCall("a call record is not an object")
    piece = CallPiece(binotel_id=_call_id(record))
    piece.fields = {
        "type": CALL_TYPES.get(_text(record.get("callType"), 2), ""),
        "internal_number": _text(record.get("internalNumber"), 20),
        "external_number": client_number(record.get("externalNumber")),
        "started_at": _moment(record.get("startTime")),
        "wait_seconds": _int(record.get("waitsec")),
        "talk_seconds": _int(record.get("billsec")),
        "disposition": _text(record.get("disposition"), 20),
        "recording_status": _text(record.get("recordingStatus"), 20),
    }
    employee = record.get("employeeData")
    if isinstance(employee, dict):
        piece.employee_email = _text(employee.get("email"), 254)
        piece.fields["internal_number"] = piece.fields["internal_number"] or _text(employee.get("internalNumber"), 20)
    return _fitted(piece)


def piece_from_webhook(body: dict) -> CallPiece | None:
    """The pieces the webhook's request types carry; None for a request type that carries no call."""
    request_type = body.get("requestType")
    if request_type == "apiCallCompleted":
        return piece_from_record(body.get("callDetails"))
    if request_type == "receivedTheCall":
        piece = piece_from_event({**body, "eventName": "callStart"})
        piece.fields["started_at"] = None  # not sent; the moment it arrived is not the call's
        internal = _text(body.get("internalNumber"), 20)
        piece.ringing_numbers = [internal] if internal else []
        return piece
    if request_type == "answeredTheCall":
        piece = CallPiece(binotel_id=_call_id(body))
        piece.fields = {
            "type": CALL_TYPES.get(_text(body.get("callType"), 2), ""),
            "internal_number": _text(body.get("internalNumber"), 20),
            "external_number": client_number(body.get("externalNumber")),
        }
        return _fitted(piece)
    if request_type == "hangupTheCall":
        piece = CallPiece(binotel_id=_call_id(body))
        piece.fields = {"talk_seconds": _int(body.get("billsec")), "disposition": _text(body.get("disposition"), 20)}
        return _fitted(piece)
    return None


@dataclass
class Summary:
    received: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)

    def __str__(self):
        return (
            f"{self.received} received, {self.changed} stored or updated, {self.unchanged} unchanged, "
            f"{len(self.skipped)} skipped"
        )


def _skip(summary: Summary, label: str, reason) -> None:
    logger.warning("skipped Binotel call %s: %s", label, reason)
    summary.skipped.append(f"{label}: {reason}")


def write_pieces(pieces: list[tuple[str, CallPiece]], summary: Summary) -> None:
    """Upsert the pieces in one transaction; if anything refuses it, one by one, the refused skipped."""
    outcomes: list[bool] = []

    def write(batch: list[tuple[str, CallPiece]]) -> None:
        if len(batch) == 1:
            changed = [call_upsert(piece=batch[0][1])[1]]
        else:
            shared = Batch([piece for _label, piece in batch])
            changed = [call_upsert(piece=piece, batch=shared)[1] for _label, piece in batch]
            shared.finish()
        outcomes.extend(changed)

    write_each(pieces, write, skip=lambda item, reason: _skip(summary, item[0], f"not written: {reason}"))
    summary.changed += sum(outcomes)
    summary.unchanged += len(outcomes) - sum(outcomes)


def apply_pieces(items: Iterable[tuple[str, Callable[[], CallPiece]]], summary: Summary | None = None) -> Summary:
    """Parse and upsert every item in one transaction; if one fails, again one by one, skipping the bad.

    An item is a label for the report and a function that parses it into a piece.
    """
    summary = summary or Summary()
    pieces = []
    for label, make in items:
        summary.received += 1
        try:
            pieces.append((label, make()))
        except (MalformedCall, LookupError, TypeError, ValueError, AttributeError) as error:
            _skip(summary, label, error)
    write_pieces(pieces, summary)
    return summary


def skipped_detail(summary: Summary) -> str:
    """What a worker's state says of the calls it skipped: how many, and the last one's reason."""
    if not summary.skipped:
        return ""
    return without_nul(f"{len(summary.skipped)} call(s) skipped, the last: {summary.skipped[-1]}")[:255]


def handle_events(events: list[dict]) -> Summary:
    """What the listener does with a batch of WebSocket events."""
    pieces = []
    for event in events:
        label = str(event.get("generalCallID") or event.get("eventName") or "?")
        pieces.append((label[:64], lambda event=event: piece_from_event(event)))
    summary = apply_pieces(pieces)
    listener_state_set(name=LISTENER, last_event_at=timezone.now(), connected=True, detail=skipped_detail(summary))
    return summary


# The REST backfill.


def backfill(
    *,
    client: RestClient,
    since: datetime,
    until: datetime,
    on_window: Callable[[datetime, datetime], None] | None = None,
    checkpoint: bool = True,
) -> Summary:
    """Fetch and upsert every call that started in [since, until), one window per request and transaction.

    After each window the checkpoint moves to its end, so an interrupted run resumes there.
    """
    summary = Summary()
    for start, stop in windows(since, until):
        records = client.calls_for_period(start, stop)
        apply_pieces(
            (
                (str(record.get("generalCallID", "?"))[:64] if isinstance(record, dict) else "?", _maker(record))
                for record in records
            ),
            summary,
        )
        if checkpoint:
            listener_state_set(name=BACKFILL, checkpoint=stop + timedelta(seconds=1), detail=skipped_detail(summary))
        if on_window is not None:
            on_window(start, stop)
    return summary


def _maker(record):
    return lambda: piece_from_record(record)


def gap_start(*, last_complete_at: datetime, margin: timedelta = timedelta(minutes=10)) -> datetime:
    """Where a backfill after a disconnection starts: before the gap, and before any call still in progress."""
    since = last_complete_at - margin
    open_since = (
        Call.objects.filter(ended_at__isnull=True, disposition="", started_at__gte=since - timedelta(hours=12))
        .order_by("started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return min(since, open_since) if open_since else since


# The listener: Binotel's stream on one side, the upserts on the other.


def rest_client() -> RestClient | None:
    """The REST client from the settings, or None when no API key is configured."""
    if not (settings.BINOTEL_API_KEY and settings.BINOTEL_API_SECRET):
        return None
    return RestClient(
        base_url=settings.BINOTEL_API_URL,
        key=settings.BINOTEL_API_KEY,
        secret=settings.BINOTEL_API_SECRET,
        timeout=settings.BINOTEL_TIMEOUT,
    )


def _events_handled(events: list[dict]) -> Summary:
    close_old_connections()
    return handle_events(events)


def _state_recorded(connected: bool, detail: str) -> None:
    close_old_connections()
    listener_state_set(name=LISTENER, connected=connected, detail=detail[:255])


def fill_gap(*, client: RestClient, last_complete_at: datetime) -> Summary:
    """After a disconnection: what the stream missed, from the REST API."""
    close_old_connections()
    since = gap_start(last_complete_at=last_complete_at)
    summary = backfill(client=client, since=since, until=timezone.now(), checkpoint=False)
    logger.info("Binotel gap since %s filled: %s", since.isoformat(), summary)
    return summary


def build_listener(*, url: str, key: str, secret: str, client: RestClient | None, **options) -> Listener:
    """A Listener wired to the upserts; after every reconnection the gap is filled through `client`."""

    async def on_reconnected(last_complete_at: datetime) -> None:
        if client is None:
            logger.warning("no Binotel REST key configured: the gap since %s stays unfilled", last_complete_at)
            return
        try:
            await sync_to_async(fill_gap)(client=client, last_complete_at=last_complete_at)
        except BinotelError as error:
            logger.error("could not fill the gap since %s: %s", last_complete_at, error)

    if "last_complete_at" not in options:
        options["last_complete_at"] = (
            ListenerState.objects.filter(name=LISTENER).values_list("last_event_at", flat=True).first()
        )
    return Listener(
        url=url,
        key=key,
        secret=secret,
        on_events=sync_to_async(_events_handled),
        on_state=sync_to_async(_state_recorded),
        on_reconnected=on_reconnected,
        **options,
    )


class BadGateway(APIException):
    status_code = 502
    default_detail = _("The telephony service failed; try again later.")
    default_code = "bad_gateway"


def recording_url(*, call: Call) -> str:
    """Binotel's short-lived link to the call's recording, only if it points at Binotel's storage."""
    if call.recording_status != RECORDING_AVAILABLE:
        raise NotFound(_("This call has no recording."))
    client = rest_client()
    if client is None:
        raise BadGateway(_("The telephony service is not configured."))
    try:
        url = client.call_record_url(call.binotel_id)
    except BinotelError as error:
        logger.warning("call-record for %s failed: %s", call.binotel_id, error)
        raise BadGateway() from None
    if not url:
        raise NotFound(_("This call has no recording."))
    if not is_storage_url(url, hosts=settings.BINOTEL_RECORDING_HOSTS):
        logger.warning("call-record for %s pointed outside Binotel's storage", call.binotel_id)
        raise BadGateway(_("The telephony service answered with an unexpected link."))
    return url
