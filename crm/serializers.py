from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.targets import target_label


@extend_schema_field({"type": "string", "nullable": True, "example": "users.user:1"})
class TargetField(serializers.Field):
    """A generic relation written as `app_label.model:id`; read-only."""

    def __init__(self, type_field="target_type", id_field="target_id", **kwargs):
        self.type_field, self.id_field = type_field, id_field
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        return target_label(getattr(instance, self.type_field), getattr(instance, self.id_field))
