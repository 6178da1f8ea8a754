from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from calls.models import Call
from contacts.serializers import ContactBriefSerializer
from deals.models import Deal, Order
from leads.models import Lead
from users.serializers import UserBriefSerializer

RECORDING_AVAILABLE = "uploaded"


class LeadBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lead
        fields = ["id", "name", "phone", "status"]
        read_only_fields = fields


class CallSerializer(serializers.ModelSerializer):
    employee = UserBriefSerializer(read_only=True, allow_null=True)
    contact = ContactBriefSerializer(read_only=True, allow_null=True)
    lead = LeadBriefSerializer(read_only=True, allow_null=True)
    has_recording = serializers.SerializerMethodField(help_text=_("Whether Binotel holds a recording of the call."))

    class Meta:
        model = Call
        fields = [
            "id",
            "binotel_id",
            "type",
            "internal_number",
            "external_number",
            "started_at",
            "answered_at",
            "ended_at",
            "wait_seconds",
            "talk_seconds",
            "disposition",
            "recording_status",
            "has_recording",
            "employee",
            "contact",
            "lead",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_has_recording(self, call) -> bool:
        return call.recording_status == RECORDING_AVAILABLE


class CallerOrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Order
        fields = ["id", "shop_order_id", "status", "ordered_at"]
        read_only_fields = fields


class CallerDealSerializer(serializers.ModelSerializer):
    stage_name = serializers.CharField(source="stage.name", read_only=True)

    class Meta:
        model = Deal
        fields = ["id", "title", "amount", "stage_name"]
        read_only_fields = fields


class CallerSerializer(serializers.Serializer):
    """Who is calling: shown on the live panel while an incoming call rings."""

    contact = ContactBriefSerializer(allow_null=True)
    lead = LeadBriefSerializer(allow_null=True)
    last_order = CallerOrderSerializer(allow_null=True)
    open_deals = CallerDealSerializer(many=True)


class WebhookSerializer(serializers.Serializer):
    """Binotel's webhook body (documentation only: the view un-flattens PHP-style keys itself)."""

    requestType = serializers.CharField(
        help_text=_("apiCallCompleted, receivedTheCall, answeredTheCall, hangupTheCall, apiCallSettings...")
    )
    callDetails = serializers.DictField(required=False)


class WebhookAnswerSerializer(serializers.Serializer):
    status = serializers.CharField()
