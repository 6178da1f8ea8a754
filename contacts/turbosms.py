"""TurboSMS' HTTP API (https://turbosms.ua/ua/api.html): `POST /message/send.json` with a Bearer token.

A recipient counts as accepted only when the answer gives it a `message_id`. A refusal (a
stop-listed or bad number, a top-level error, a 4xx) is a failed result carrying the
provider's status. What happened is unknown when the request left and no readable answer
came back (a read timeout, a connection dropped after the request, a gateway's 5xx, an
answer that is not TurboSMS'): the message may have gone, and it is never sent again on
its own. Only a request that never left (no connection) or that TurboSMS turned away
unread (503, 429) is a failed result marked retryable. Never an exception; no retries here.
"""

import requests
from django.conf import settings
from urllib3.exceptions import MaxRetryError, NewConnectionError

from contacts.sms import BaseBackend, SmsResult

# Answers that say the request was turned away before anything was done with it.
TURNED_AWAY = {429, 503}


# Errors raised before any byte of the request reached the provider.
NOT_SENT = (
    requests.ConnectTimeout,
    requests.exceptions.SSLError,
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidHeader,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)


def never_left(error: requests.RequestException) -> bool:
    """Whether the request failed before any of it reached the provider: no connection could be made
    (refused, no route, name not resolved, connect timeout, TLS handshake) or the request could not be built."""
    if isinstance(error, NOT_SENT):
        return True
    if type(error) is requests.ConnectionError and error.args:
        cause = error.args[0]
        # requests wraps a failed connect in MaxRetryError; a drop after the request is a bare ProtocolError.
        return isinstance(cause, MaxRetryError) and isinstance(cause.reason, NewConnectionError)
    return False


class TurboSmsBackend(BaseBackend):
    def __init__(self, *, base_url: str | None = None, token: str | None = None, sender: str | None = None):
        self.base_url = (base_url or settings.SMS_TURBOSMS_URL).rstrip("/")
        self.token = token or settings.SMS_TURBOSMS_TOKEN
        self.sender = sender or settings.SMS_SENDER
        self.timeout = settings.SMS_TIMEOUT

    def send(self, *, recipients: list[str], text: str) -> list[SmsResult]:
        body = {"recipients": recipients, "sms": {"sender": self.sender, "text": text}}
        try:
            response = requests.post(
                f"{self.base_url}/message/send.json",
                json=body,
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            if never_left(error):
                return self._all_failed(
                    recipients, "UNREACHABLE", f"TurboSMS unreachable: {type(error).__name__}", retryable=True
                )
            status = "TIMEOUT" if isinstance(error, requests.Timeout) else "NO_ANSWER"
            return self._all_unknown(recipients, status, f"TurboSMS did not answer: {type(error).__name__}")
        code = response.status_code
        if code >= 500 and code not in TURNED_AWAY:
            return self._all_unknown(recipients, f"HTTP_{code}", f"TurboSMS answered {code}")
        if code >= 400:
            return self._all_failed(
                recipients, f"HTTP_{code}", f"TurboSMS answered {code}", retryable=code in TURNED_AWAY
            )
        try:
            answer = response.json()
        except ValueError:
            return self._all_unknown(recipients, "BAD_RESPONSE", "TurboSMS answered with something other than JSON")
        per_recipient = answer.get("response_result") if isinstance(answer, dict) else None
        if not isinstance(per_recipient, list):
            status = str(answer.get("response_status", "")) if isinstance(answer, dict) else ""
            if not status:  # not an answer TurboSMS gives: whether it sent is not said
                return self._all_unknown(recipients, "BAD_RESPONSE", "TurboSMS answered something unexpected")
            return self._all_failed(recipients, status, f"TurboSMS refused the request: {status}")
        by_phone = {str(row.get("phone")): row for row in per_recipient if isinstance(row, dict)}
        results = []
        for recipient in recipients:
            row = by_phone.get(recipient)
            if row is None:  # the request was taken: whether this one went is not said
                results.append(
                    SmsResult(recipient, False, status="MISSING", error="TurboSMS said nothing about it", unknown=True)
                )
            elif row.get("message_id"):
                results.append(SmsResult(recipient, True, str(row["message_id"]), str(row.get("response_status", ""))))
            else:
                status = str(row.get("response_status", "")) or str(row.get("response_code", ""))
                results.append(SmsResult(recipient, False, status=status, error=status))
        return results

    @staticmethod
    def _all_failed(recipients: list[str], status: str, error: str, *, retryable=False) -> list[SmsResult]:
        return [
            SmsResult(recipient, False, status=status, error=error, retryable=retryable) for recipient in recipients
        ]

    @staticmethod
    def _all_unknown(recipients: list[str], status: str, error: str) -> list[SmsResult]:
        return [SmsResult(recipient, False, status=status, error=error, unknown=True) for recipient in recipients]
