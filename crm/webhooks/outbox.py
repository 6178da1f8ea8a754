"""Queue deliveries in the change's own transaction: a rolled-back change sends nothing, a dead process loses nothing.

Per change: one cache read of the subscriptions (rebuilt from the database when an endpoint changes) and, when
some endpoint wants the event, one bulk INSERT of outbox rows.
"""

from django.contrib.auth import get_user_model
from django.core.cache import cache

from crm.webhooks import events
from crm.webhooks.models import Delivery, Endpoint

SUBSCRIPTIONS_KEY = "webhooks:subscriptions"


def subscriptions() -> dict[str, list[tuple[int, int]]]:
    """event -> [(endpoint id, owner id)] of the active endpoints."""
    found = cache.get(SUBSCRIPTIONS_KEY)
    if found is None:
        found = {}
        for endpoint_id, owner_id, wanted in Endpoint.objects.filter(is_active=True).values_list(
            "pk", "owner_id", "events"
        ):
            for event in wanted:
                found.setdefault(event, []).append((endpoint_id, owner_id))
        cache.set(SUBSCRIPTIONS_KEY, found, None)
    return found


def forget_subscriptions() -> None:
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
            snapshot = {"id": target.pk}
        rows.append(
            Delivery(
                endpoint_id=endpoint_id,
                event=name,
                target_type_id=entry.target_type_id,
                target_id=str(target.pk),
                snapshot=snapshot,
                occurred_at=entry.created_at,
                queued_at=entry.created_at,
                next_attempt_at=entry.created_at,
            )
        )
    Delivery.objects.bulk_create(rows)
