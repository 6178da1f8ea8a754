from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from activity.models import Activity
from activity.serializers import ActivitySerializer
from crm.realtime.broadcast import broadcast_many, user_group
from users.selectors import user_managers

STREAM = "activity"
# The owner and admins see every entry, so their sockets also join this group.
EVERYONE_GROUP = "activity.all"
# Called with each new entry and its target inside the write's transaction (features above the apps plug in here
# from their `ready()`, such as the outbound webhooks' outbox): activity imports none of them.
_recorded_callbacks: list = []


def on_activity_recorded(callback) -> None:
    """Call `callback(entry, target)` for every entry `activity_record` stores, in the same transaction."""
    if callback not in _recorded_callbacks:
        _recorded_callbacks.append(callback)


def activity_record(
    *,
    actor,
    verb: str,
    target: models.Model | None = None,
    changed_fields: Iterable[str] = (),
    description: str = "",
) -> Activity:
    """Store one entry of the activity log and push it live. Call it from the service that made the change."""
    entry = Activity.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        changed_fields=sorted(changed_fields),
        description=description[:500],
    )
    for callback in _recorded_callbacks:
        callback(entry, target)
    _push(entry)
    return entry


def _push(entry: Activity) -> None:
    payload = {"activity": ActivitySerializer(entry).data}
    groups = {EVERYONE_GROUP}
    if entry.actor is not None:
        audience = {entry.actor.pk, *user_managers(user=entry.actor).values_list("pk", flat=True)}
        groups |= {user_group(STREAM, user_id) for user_id in audience}
    broadcast_many([(group, "activity.created", payload) for group in sorted(groups)])
