"""Sending SMS through a backend chosen by the SMS_BACKEND setting, the way Django chooses an email backend.

`console` prints the messages (development), `locmem` keeps them in `outbox` (tests),
`turbosms` sends them over TurboSMS' HTTP API; a dotted path names any other backend class.
A backend answers with one `SmsResult` per recipient and never raises for a recipient
the provider refused or for the provider being down: the caller records every result.

Sends happen at most once. A result is `sent`, `failed` (the provider said no, or the
request never left) or `unknown` (the request left and no readable answer came back:
a read timeout, a dropped connection, a gateway error; the message may be on its way).
Only a failed result marked `retryable` (nothing went out; the provider may take it
later) may be sent again on its own; an unknown one never is.
"""

import sys
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

BACKENDS = {
    "console": "contacts.sms.ConsoleBackend",
    "locmem": "contacts.sms.LocmemBackend",
    "turbosms": "contacts.turbosms.TurboSmsBackend",
}


@dataclass(frozen=True)
class SmsMessage:
    recipient: str  # digits only, with the country code: 380501234567
    text: str


@dataclass(frozen=True)
class SmsResult:
    recipient: str
    accepted: bool
    message_id: str = ""
    status: str = ""
    error: str = ""
    unknown: bool = False  # the request left and its answer did not come: it may have been sent
    retryable: bool = False  # nothing went out and the provider may take it later

    @property
    def outcome(self) -> str:
        return "sent" if self.accepted else "unknown" if self.unknown else "failed"


class BaseBackend:
    def send(self, *, recipients: list[str], text: str) -> list[SmsResult]:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, recipients: list[str], text: str) -> list[SmsResult]:
        results = []
        for recipient in recipients:
            message_id = str(uuid.uuid4())
            self.stream.write(f"SMS to {recipient} ({message_id}): {text}\n")
            results.append(SmsResult(recipient, True, message_id, "OK"))
        self.stream.flush()
        return results


outbox: list[SmsMessage] = []


class LocmemBackend(BaseBackend):
    """Keeps every message in `contacts.sms.outbox`; numbers listed in `refused` are refused like a stop-list."""

    refused: set[str] = set()

    def send(self, *, recipients: list[str], text: str) -> list[SmsResult]:
        results = []
        for recipient in recipients:
            if recipient in self.refused:
                results.append(SmsResult(recipient, False, status="NOT_ALLOWED_NUMBER_STOPLIST", error="stop-list"))
                continue
            outbox.append(SmsMessage(recipient, text))
            results.append(SmsResult(recipient, True, f"locmem-{len(outbox)}", "OK"))
        return results


def get_backend() -> BaseBackend:
    name = settings.SMS_BACKEND
    return import_string(BACKENDS.get(name, name))()


def provider_number(e164: str) -> str:
    """+380501234567 → 380501234567: Ukrainian providers take digits only."""
    return "".join(ch for ch in e164 if ch.isdigit())
