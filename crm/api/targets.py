"""Generic targets written as `<app_label>.<model>:<id>` in URLs and JSON."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm.api.parsing import parse_int


def target_label(content_type: ContentType | None, object_id) -> str | None:
    if content_type is None:
        return None
    return f"{content_type.app_label}.{content_type.model}:{object_id}"


def parse_target(value: str) -> tuple[ContentType, str]:
    """Parse `app_label.model:id`; raise ValidationError for anything else or an unknown model."""
    model_part, sep, object_id = (value or "").partition(":")
    app_label, dot, model = model_part.partition(".")
    try:
        object_id = str(parse_int(object_id, min_value=1)) if sep and dot and app_label and model else None
    except ValidationError:
        object_id = None
    if object_id is None:
        raise ValidationError(_("Write the target as <app_label>.<model>:<id>."), code="invalid_target")
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model.lower())
    except ContentType.DoesNotExist:
        raise ValidationError(_("Unknown target type."), code="invalid_target") from None
    return content_type, object_id
