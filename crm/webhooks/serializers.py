from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.webhooks.events import EVENTS
from crm.webhooks.models import Attempt, Delivery, Endpoint


class EndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENTS),
        allow_empty=False,
        help_text=_("The events this endpoint receives."),
    )

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["consecutive_failures", "disabled_at", "disabled_reason", "created_at", "updated_at"]


class EndpointCreatedSerializer(EndpointSerializer):
    """The endpoint as registered, with its signing secret: the only answer that shows the secret."""

    secret = serializers.CharField(read_only=True, help_text=_("The signing secret; it is shown only once."))

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attempt
        fields = ["number", "result", "response_code", "error", "started_at", "duration_ms"]


class DeliverySerializer(serializers.ModelSerializer):
    log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "message_id",
            "event",
            "target_id",
            "occurred_at",
            "status",
            "attempts",
            "next_attempt_at",
            "last_response_code",
            "last_error",
            "log",
        ]
