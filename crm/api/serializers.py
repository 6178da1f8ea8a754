from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.api.targets import target_label


@extend_schema_field({"type": "string", "nullable": True, "example": "users.user:1"})
class TargetField(serializers.Field):
    """A generic relation written as `app_label.model:id`; read-only."""

    def __init__(self, type_field="target_type", id_field="target_id", **kwargs):
        self.type_field, self.id_field = type_field, id_field
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        return target_label(getattr(instance, self.type_field), getattr(instance, self.id_field))


def date_range(attrs: dict):
    """`date_after` and `date_before` of a query (inclusive days): both or neither, never with `period`,
    in order. Returns the pair, or None when neither is given."""
    after, before = attrs.get("date_after"), attrs.get("date_before")
    if not (after or before):
        return None
    if attrs.get("period"):
        raise serializers.ValidationError({"period": [_("Give either a period or a date range, not both.")]})
    if not (after and before):
        raise serializers.ValidationError({"date_before": [_("Give both date_after and date_before.")]})
    if after > before:
        raise serializers.ValidationError({"date_before": [_("The range ends before it starts.")]})
    return after, before
