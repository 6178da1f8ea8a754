from rest_framework import serializers

from crm.serializers import TargetField
from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    target = TargetField()
    seen = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "description", "target", "created_at", "seen", "seen_at"]
        read_only_fields = fields
