from django.contrib.contenttypes.models import ContentType
from django.db import models

from notifications.models import Notification


def notify(
    *,
    recipient,
    kind: str,
    title: str,
    description: str = "",
    target: models.Model | None = None,
) -> Notification:
    """Store a notification for `recipient`. Every domain event that concerns a user goes through here."""
    return Notification.objects.create(
        recipient=recipient,
        kind=kind,
        title=str(title)[:255],
        description=str(description),
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
    )
