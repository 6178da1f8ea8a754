from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from activity.services import activity_record
from crm.api.exceptions import Conflict
from crm.webhooks import addresses, outbox, signing
from crm.webhooks.models import Delivery, DeliveryStatus, Endpoint


def _checked_url(url: str) -> str:
    try:
        addresses.check_url(url)
    except addresses.RefusedURL as error:
        raise ValidationError({"url": [str(error)]}) from None
    return url


@transaction.atomic
def endpoint_create(*, actor, url: str, events: list[str], description: str = "", is_active: bool = True) -> Endpoint:
    """Register an endpoint owned by `actor`; its secret is generated here and shown once."""
    endpoint = Endpoint.objects.create(
        owner=actor,
        url=_checked_url(url),
        events=sorted(set(events)),
        description=description,
        is_active=is_active,
        secret=signing.new_secret(),
    )
    activity_record(actor=actor, verb="created", target=endpoint, changed_fields=["url", "events", "description"])
    transaction.on_commit(outbox.forget_subscriptions)
    outbox.forget_subscriptions()
    return endpoint


@transaction.atomic
def endpoint_update(*, endpoint: Endpoint, actor, data: dict) -> Endpoint:
    changed = []
    if "url" in data and data["url"] != endpoint.url:
        endpoint.url = _checked_url(data["url"])
        changed.append("url")
    if "events" in data and sorted(set(data["events"])) != endpoint.events:
        endpoint.events = sorted(set(data["events"]))
        changed.append("events")
    if "description" in data and data["description"] != endpoint.description:
        endpoint.description = data["description"]
        changed.append("description")
    if "is_active" in data and data["is_active"] != endpoint.is_active:
        endpoint.is_active = data["is_active"]
        changed.append("is_active")
        if endpoint.is_active:
            endpoint.consecutive_failures, endpoint.disabled_at, endpoint.disabled_reason = 0, None, ""
            changed += ["consecutive_failures", "disabled_at", "disabled_reason"]
    if changed:
        endpoint.save(update_fields=[*changed, "updated_at"])
        activity_record(actor=actor, verb="updated", target=endpoint, changed_fields=changed)
        transaction.on_commit(outbox.forget_subscriptions)
        outbox.forget_subscriptions()
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint, actor) -> None:
    activity_record(actor=actor, verb="deleted", target=endpoint)
    endpoint.delete()
    transaction.on_commit(outbox.forget_subscriptions)
    outbox.forget_subscriptions()


@transaction.atomic
def delivery_redeliver(*, delivery: Delivery) -> Delivery:
    """Queue a new round of attempts with the same message id (a receiver that saw it may drop it)."""
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status == DeliveryStatus.PENDING and locked.locked_until and locked.locked_until > timezone.now():
        raise Conflict(_("This delivery is being sent right now."))
    now = timezone.now()
    locked.status, locked.tries, locked.queued_at, locked.next_attempt_at, locked.locked_until = (
        DeliveryStatus.PENDING,
        0,
        now,
        now,
        None,
    )
    locked.save(update_fields=["status", "tries", "queued_at", "next_attempt_at", "locked_until"])
    return locked
