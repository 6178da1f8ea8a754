"""Queue deliveries in the change's own transaction: a rolled-back change sends nothing, a dead process loses nothing.

Per change: one cache read of the subscriptions (rebuilt from the database when an endpoint changes) and, when
some endpoint wants the event, one bulk INSERT of outbox rows.
"""

import contextlib
import json
import logging

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from redis.exceptions import RedisError

from crm.webhooks import events
from crm.webhooks.models import Delivery, Endpoint, new_message_id

logger = logging.getLogger(__name__)

SUBSCRIPTIONS_KEY = "webhooks:subscriptions"


def subscriptions() -> dict[str, list[tuple[int, int]]]:
    """event -> [(endpoint id, owner id)] of the active endpoints.

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


def _read_subscriptions() -> dict[str, list[tuple[int, int]]]:
    found: dict[str, list[tuple[int, int]]] = {}
    for endpoint_id, owner_id, wanted in Endpoint.objects.filter(is_active=True).values_list(
        "pk", "owner_id", "events"
    ):
        for event in wanted:
            found.setdefault(event, []).append((endpoint_id, owner_id))
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
    rows = []
    for name, (endpoint_id, owner_id) in pairs:
        snapshot = None
        if name in events.DELETIONS:
            # the record is still there (the activity is written before the delete): whether its owner sees it
            # is decided now, and what is sent is its id
            owner = get_user_model().objects.get(pk=owner_id)
            if not events.visible(label, user=owner, pk=target.pk):
                continue
            snapshot = json.dumps({"id": target.pk})
        rows.append(
            (endpoint_id, new_message_id(), name, entry.target_type_id, str(target.pk), snapshot, entry.created_at)
        )
    if rows:
        _insert(rows)


def _insert(rows: list[tuple]) -> None:
    """One INSERT of the outbox rows, written by hand: it runs on every subscribed change, and the ORM's
    bulk_create costs more than the statement itself."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    columns = (
        "endpoint_id, message_id, event, target_type_id, target_id, snapshot, occurred_at, status, queued_at, "
        "next_attempt_at, tries, attempts, last_error"
    )
    one = "(%s, %s, %s, %s, %s, %s, %s, 'pending', %s, %s, 0, 0, '')"
    params = []
    for endpoint_id, message_id, name, type_id, target_id, snapshot, occurred_at in rows:
        moment = connection.ops.adapt_datetimefield_value(occurred_at)
        params += [endpoint_id, message_id, name, type_id, target_id, snapshot, moment, moment, moment]
    with connection.cursor() as cursor:
        values = ", ".join([one] * len(rows))
        cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values}", params)  # noqa: S608 (values are params)
