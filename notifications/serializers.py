from rest_framework import serializers

from crm.api import parsing
from crm.api.serializers import TargetField
from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    target = TargetField()
    seen = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "description", "target", "created_at", "seen", "seen_at"]
        read_only_fields = fields


class UnreadCountSerializer(serializers.Serializer):
    count = serializers.IntegerField(read_only=True)


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(read_only=True)


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    email = parsing.BooleanField()
