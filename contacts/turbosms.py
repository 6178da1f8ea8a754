"""TurboSMS' HTTP API (https://turbosms.ua/ua/api.html): `POST /message/send.json` with a Bearer token.

A recipient counts as accepted only when the answer gives it a `message_id`; anything
else (a stop-listed or bad number, a top-level error, an HTTP error, a timeout) is a
failed result carrying the provider's status, never an exception. Sends are not retried:
a retry after a timeout could deliver the message twice.
"""

import requests
from django.conf import settings

from contacts.sms import BaseBackend, SmsResult


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
            return self._all_failed(recipients, "UNREACHABLE", f"TurboSMS unreachable: {type(error).__name__}")
        if response.status_code >= 400:
            return self._all_failed(
                recipients, f"HTTP_{response.status_code}", f"TurboSMS answered {response.status_code}"
            )
        try:
            answer = response.json()
        except ValueError:
            return self._all_failed(recipients, "BAD_RESPONSE", "TurboSMS answered with something other than JSON")
        per_recipient = answer.get("response_result") if isinstance(answer, dict) else None
        if not isinstance(per_recipient, list):
            status = str(answer.get("response_status", "")) if isinstance(answer, dict) else ""
            return self._all_failed(recipients, status or "BAD_RESPONSE", f"TurboSMS refused the request: {status}")
        by_phone = {str(row.get("phone")): row for row in per_recipient if isinstance(row, dict)}
        results = []
        for recipient in recipients:
            row = by_phone.get(recipient)
            if row is None:
                results.append(SmsResult(recipient, False, status="MISSING", error="TurboSMS said nothing about it"))
            elif row.get("message_id"):
                results.append(SmsResult(recipient, True, str(row["message_id"]), str(row.get("response_status", ""))))
            else:
                status = str(row.get("response_status", "")) or str(row.get("response_code", ""))
                results.append(SmsResult(recipient, False, status=status, error=status))
        return results

    @staticmethod
    def _all_failed(recipients: list[str], status: str, error: str) -> list[SmsResult]:
        return [SmsResult(recipient, False, status=status, error=error) for recipient in recipients]
