from rest_framework import serializers

from crm.api import parsing
from deals.models import Pipeline
from leads.models import Lead, LeadStatus
from users.serializers import UserBriefSerializer


class LeadSerializer(serializers.ModelSerializer):
    responsible_detail = UserBriefSerializer(source="responsible", read_only=True, allow_null=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "name",
            "phone",
            "email",
            "source",
            "status",
            "notes",
            "failure_reason",
            "responsible",
            "responsible_detail",
            "contact",
            "deal",
            "converted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "failure_reason", "contact", "deal", "converted_at", "created_at", "updated_at"]


class LeadConvertSerializer(serializers.Serializer):
    pipeline = parsing.PrimaryKeyRelatedField(queryset=Pipeline.objects.all(), required=False)
    amount = parsing.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)


class LeadFailSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class FunnelStageSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=LeadStatus.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()
