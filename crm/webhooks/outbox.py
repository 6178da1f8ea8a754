"""Queue deliveries in the change's own transaction: a rolled-back change sends nothing, a dead process loses nothing.

Per change: one cache read of the subscriptions (rebuilt from the database when an endpoint changes) and, when
some endpoint wants the event, one bulk INSERT of outbox rows. Most events are read off the activity log
(`queue_for_activity`); the bulk writers that keep none (the shop sync, the telephony workers) queue theirs
with `queue_records`, a page of events in one INSERT.
"""

import contextlib
import json
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from redis.exceptions import RedisError

from crm.webhooks import events
from crm.webhooks.models import Delivery, Endpoint, new_message_id

logger = logging.getLogger(__name__)

SUBSCRIPTIONS_KEY = "webhooks:subscriptions:2"  # the number changes with the cached value's shape
# Outbox rows in one INSERT at most: 9 parameters a row, and PostgreSQL takes 65,535 in one statement.
INSERT_ROWS = 5000
# A bulk writer's record is sent to an endpoint only if it changed after the endpoint was registered, less this
# much for the shop's and Binotel's clocks: a shop's history imported later is not news to it.
HISTORY_GRACE = timedelta(hours=1)


class Subscriber(NamedTuple):
    endpoint_id: int
    owner_id: int
    registered_at: datetime


def subscriptions() -> dict[str, list[Subscriber]]:
    """event -> the active endpoints that want it.

    Read from the database while the cache (Redis) is away: a write must not fail for it, nor lose its events.
    """
    try:
        found = cache.get(SUBSCRIPTIONS_KEY)
    except (RedisError, OSError) as error:
        logger.warning("webhook subscriptions read from the database, the cache is unavailable: %r", error)
        return _read_subscriptions()
    if found is None:
        found = _read_subscriptions()
        with contextlib.suppress(RedisError, OSError):  # read from the database again next time
            cache.set(SUBSCRIPTIONS_KEY, found, None)
    return found


def _read_subscriptions() -> dict[str, list[Subscriber]]:
    found: dict[str, list[Subscriber]] = {}
    for endpoint_id, owner_id, wanted, created_at in Endpoint.objects.filter(is_active=True).values_list(
        "pk", "owner_id", "events", "created_at"
    ):
        for event in wanted:
            found.setdefault(event, []).append(Subscriber(endpoint_id, owner_id, created_at))
    return found


def forget_subscriptions() -> None:
    """Called when an endpoint changes. If the cache is away, the stale entry would outlive it: refuse the change."""
    cache.delete(SUBSCRIPTIONS_KEY)


def queue_for_activity(entry, target) -> None:
    if target is None:
        return
    label = target._meta.label
    names = events.events_for(label, entry.verb, entry.changed_fields)
    if not names:
        return
    wanted = subscriptions()
    pairs = [(name, endpoint) for name in names for endpoint in wanted.get(name, ())]
    if not pairs:
        return
    owners = {}
    if any(name in events.DELETIONS for name, _endpoint in pairs):
        owners = get_user_model().objects.in_bulk({endpoint.owner_id for _name, endpoint in pairs})
    rows = []
    for name, endpoint in pairs:
        snapshot = None
        if name in events.DELETIONS:
            # the record is still there (the activity is written before the delete): whether its owner sees it
            # is decided now, and what is sent is its id
            owner = owners.get(endpoint.owner_id)
            if owner is None or not events.visible(label, user=owner, pk=target.pk):
                continue
            snapshot = json.dumps({"id": target.pk})
        rows.append(
            (
                endpoint.endpoint_id,
                new_message_id(),
                name,
                entry.target_type_id,
                str(target.pk),
                snapshot,
                entry.created_at,
            )
        )
    if rows:
        _insert(rows)


def queue_records(event: str, *, model, records: Iterable[tuple[object, datetime]]) -> int:
    """Queue `event` for records a bulk write changed, in that write's transaction: (pk, occurred_at) each.

    For the writes that bypass the activity log (the shop sync, the telephony workers). `records` is only
    iterated when some endpoint subscribes to `event`, so with none the cost is one cache read. A record that
    changed before an endpoint was registered (HISTORY_GRACE) is not queued for it: a first import of a shop's
    history or a backfill of last month's calls is not news. Whether an endpoint's owner may see a record is
    decided when it is sent, as for every event. Returns the rows queued.
    """
    wanted = subscriptions().get(event)
    if not wanted:
        return 0
    type_id = ContentType.objects.get_for_model(model).pk
    rows = [
        (endpoint.endpoint_id, new_message_id(), event, type_id, str(pk), None, occurred_at)
        for pk, occurred_at in records
        for endpoint in wanted
        if occurred_at >= endpoint.registered_at - HISTORY_GRACE
    ]
    _insert(rows)
    return len(rows)


def _insert(rows: list[tuple]) -> None:
    """The outbox rows in one INSERT (one per INSERT_ROWS of them), written by hand: it runs on every
    subscribed change, and the ORM's bulk_create costs more than the statement itself. A row is due at once
    and its day of retries starts now, whenever the change it reports happened (a call backfilled from last
    week)."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    columns = (
        "endpoint_id, message_id, event, target_type_id, target_id, snapshot, occurred_at, status, queued_at, "
        "next_attempt_at, tries, attempts, last_error"
    )
    one = "(%s, %s, %s, %s, %s, %s, %s, 'pending', %s, %s, 0, 0, '')"
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_ROWS):
            page = rows[start : start + INSERT_ROWS]
            params = []
            for endpoint_id, message_id, name, type_id, target_id, snapshot, occurred_at in page:
                moment = connection.ops.adapt_datetimefield_value(occurred_at)
                params += [endpoint_id, message_id, name, type_id, target_id, snapshot, moment, now, now]
            values = ", ".join([one] * len(page))
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values}", params)  # noqa: S608 (values are params)
