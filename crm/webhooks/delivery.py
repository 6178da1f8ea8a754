"""The worker's side of the outbox: claim due rows, send them signed, log each attempt, schedule retries.

A claimed row is leased (`locked_until`), not held by an open transaction while the receiver is called: a
worker that dies mid-send leaves a row the next run claims again once the lease expires (the receiver may then
see the same `webhook-id` twice, which the Standard Webhooks receiver drops).
"""

import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import requests
import tenacity
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.utils.encoders import JSONEncoder

from crm.webhooks import addresses, events, signing, transport
from crm.webhooks.models import Attempt, AttemptResult, Delivery, DeliveryStatus, Endpoint
from users.selectors import owner_ids_read_once

logger = logging.getLogger(__name__)

# 30 s, 1, 2, 4... minutes with up to 30 s of jitter, at most 4 hours apart: about 14 attempts in a day.
RETRY_WAIT = tenacity.wait_exponential_jitter(multiplier=30, max=4 * 3600, jitter=30)


def retry_delay(tries: int) -> timedelta:
    """The wait after the `tries`-th failed attempt of a round (tenacity's own schedule, jitter included)."""
    state = tenacity.RetryCallState(retry_object=None, fn=None, args=(), kwargs={})
    state.attempt_number = tries
    return timedelta(seconds=RETRY_WAIT(state))


@dataclass
class Summary:
    delivered: int = 0
    failed: int = 0
    retrying: int = 0
    skipped: int = 0
    disabled: list[str] = field(default_factory=list)

    def add(self, other: "Summary") -> None:
        self.delivered += other.delivered
        self.failed += other.failed
        self.retrying += other.retrying
        self.skipped += other.skipped
        self.disabled += other.disabled

    def __str__(self):
        text = f"{self.delivered} delivered, {self.retrying} to retry, {self.failed} given up, {self.skipped} skipped"
        if self.disabled:
            text += f"; endpoints disabled: {', '.join(self.disabled)}"
        return text


def claim(*, limit: int) -> list[Delivery]:
    """Lease up to `limit` due rows of active endpoints (SKIP LOCKED on PostgreSQL: workers never share one)."""
    now = timezone.now()
    lease = timedelta(seconds=settings.WEBHOOKS_TIMEOUT * 2 + 60)
    with transaction.atomic():
        due = (
            Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
            .order_by("next_attempt_at", "id")
        )
        if connection.vendor == "postgresql":
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("pk", flat=True)[:limit])
        Delivery.objects.filter(pk__in=ids).update(locked_until=now + lease)
    return list(Delivery.objects.filter(pk__in=ids).select_related("endpoint__owner", "target_type").order_by("id"))


def bodies_of(deliveries: list[Delivery]) -> dict[int, bytes | None]:
    """The JSON body of each delivery by its pk; None when the endpoint's owner may not see the record (or it
    is gone). The records are read per (owner, kind): one selector query each, however many deliveries.

    A group that fails to render is logged and left out: its deliveries stay leased for a later run.
    """
    groups: dict[tuple[int, int], list[Delivery]] = defaultdict(list)
    bodies: dict[int, bytes | None] = {}
    for delivery in deliveries:
        if delivery.snapshot is None:
            groups[(delivery.endpoint.owner_id, delivery.target_type_id)].append(delivery)
        else:
            bodies[delivery.pk] = _body(delivery, delivery.snapshot)
    with owner_ids_read_once():
        for rows in groups.values():
            first = rows[0]
            try:
                found = events.render_many(
                    first.target_type.model_class()._meta.label,
                    user=first.endpoint.owner,
                    pks={row.target_id for row in rows},
                )
            except Exception:
                logger.exception("Rendering %s webhook deliveries of %s failed", len(rows), first.target_type)
                continue
            for row in rows:
                data = found.get(row.target_id)
                bodies[row.pk] = None if data is None else _body(row, data)
    return bodies


def _body(delivery: Delivery, data) -> bytes:
    payload = {
        "type": delivery.event,
        "id": delivery.message_id,
        "occurred_at": delivery.occurred_at,
        "data": data,
    }
    return json.dumps(payload, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()


def _post(delivery: Delivery, body: bytes, session) -> tuple[str, int | None, str]:
    endpoint = delivery.endpoint
    timestamp = int(time.time())
    headers = signing.headers(secret=endpoint.secret, message_id=delivery.message_id, timestamp=timestamp, body=body)
    try:
        # the scheme here; the addresses when the session opens a connection, to the address it checked
        addresses.check_scheme(endpoint.url)
        response = session.post(
            endpoint.url, data=body, headers=headers, timeout=settings.WEBHOOKS_TIMEOUT, allow_redirects=False
        )
    except addresses.RefusedURL as error:
        return AttemptResult.REFUSED, None, str(error)
    except requests.Timeout:
        return (
            AttemptResult.FAILED,
            None,
            _("No answer within %(seconds)s seconds.") % {"seconds": settings.WEBHOOKS_TIMEOUT},
        )
    except requests.RequestException as error:
        return AttemptResult.FAILED, None, str(error)[:500]
    if 200 <= response.status_code < 300:
        return AttemptResult.SUCCEEDED, response.status_code, ""
    return (
        AttemptResult.FAILED,
        response.status_code,
        _("The receiver answered %(code)s.") % {"code": response.status_code},
    )


def deliver(delivery: Delivery, summary: Summary, session: requests.Session, *, body: bytes | None) -> None:
    """Make one attempt at a claimed row (`body` from `bodies_of`) and record it."""
    if body is None:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SKIPPED,
            locked_until=None,
            last_error=_("The endpoint's owner may not see this record (or it is gone): nothing was sent."),
        )
        summary.skipped += 1
        return
    started_at = timezone.now()
    clock = time.monotonic()
    result, code, error = _post(delivery, body, session)
    duration_ms = int((time.monotonic() - clock) * 1000)
    _record(
        delivery, result=result, code=code, error=error, started_at=started_at, duration_ms=duration_ms, summary=summary
    )


@transaction.atomic
def _record(delivery, *, result, code, error, started_at, duration_ms, summary) -> None:
    now = timezone.now()
    delivery.attempts += 1
    delivery.tries += 1
    Attempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        result=result,
        response_code=code,
        error=error[:500],
        started_at=started_at,
        duration_ms=duration_ms,
    )
    delivery.last_response_code, delivery.last_error, delivery.locked_until = code, error[:500], None
    endpoint = delivery.endpoint
    if result == AttemptResult.SUCCEEDED:
        delivery.status = DeliveryStatus.DELIVERED
        summary.delivered += 1
        if endpoint.consecutive_failures:
            Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
    else:
        next_at = now + retry_delay(delivery.tries)
        if next_at - delivery.queued_at > timedelta(seconds=settings.WEBHOOKS_MAX_AGE):
            delivery.status = DeliveryStatus.FAILED
            summary.failed += 1
        else:
            delivery.next_attempt_at = next_at
            summary.retrying += 1
        Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
        endpoint.refresh_from_db(fields=["consecutive_failures", "is_active"])
        if endpoint.is_active and (
            delivery.status == DeliveryStatus.FAILED
            or endpoint.consecutive_failures >= settings.WEBHOOKS_DISABLE_AFTER_FAILURES
        ):
            _disable(endpoint, reason=error)
            summary.disabled.append(endpoint.url)
    delivery.save(
        update_fields=[
            "attempts",
            "tries",
            "status",
            "next_attempt_at",
            "locked_until",
            "last_response_code",
            "last_error",
        ]
    )


def _disable(endpoint: Endpoint, *, reason: str) -> None:
    from crm.webhooks import outbox
    from notifications.services import notify

    endpoint.is_active, endpoint.disabled_at = False, timezone.now()
    endpoint.disabled_reason = reason[:255]
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
    outbox.forget_subscriptions()
    transaction.on_commit(outbox.forget_subscriptions)
    notify(
        recipient=endpoint.owner,
        kind="webhook_disabled",
        title=_("A webhook endpoint was disabled: %(url)s") % {"url": endpoint.url},
        description=_("Its deliveries kept failing (%(count)s in a row; last: %(reason)s). Fix it and enable it again.")
        % {"count": endpoint.consecutive_failures, "reason": reason},
        target=endpoint,
    )


def run_once(
    *, batch: int = 100, progress=None, stop=lambda: False, session: requests.Session | None = None
) -> Summary:
    """Send every due row until none is left (or `stop()` says so), with `session` (by default one pinned
    against DNS rebinding, `transport.pinned_session`)."""
    summary = Summary()
    # connections kept alive between deliveries to the same receiver
    with session or transport.pinned_session() as session:
        _run(summary, batch=batch, progress=progress, stop=stop, session=session)
    return summary


def _run(summary: Summary, *, batch, progress, stop, session) -> None:
    while not stop():
        claimed = claim(limit=batch)
        if not claimed:
            break
        bodies = bodies_of(claimed)
        for index, delivery in enumerate(claimed):
            if stop():
                # not tried: free them for the next run at once
                Delivery.objects.filter(pk__in=[row.pk for row in claimed[index:]]).update(locked_until=None)
                break
            if delivery.pk not in bodies:
                continue  # not rendered (logged): left leased, the next run after the lease tries it again
            try:
                deliver(delivery, summary, session, body=bodies[delivery.pk])
            except Exception:
                # left leased: the next run after the lease tries it again
                logger.exception("Webhook delivery %s failed unexpectedly", delivery.message_id)
            if progress is not None:
                progress.update(1)
