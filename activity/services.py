from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from activity.models import Activity


def activity_record(
    *,
    actor,
    verb: str,
    target: models.Model | None = None,
    changed_fields: Iterable[str] = (),
    description: str = "",
) -> Activity:
    """Store one entry of the activity log. Call it from the service that made the change."""
    return Activity.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        changed_fields=sorted(changed_fields),
        description=description[:500],
    )
