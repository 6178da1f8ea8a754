from rest_framework import serializers

from activity.models import Activity
from crm.api.serializers import TargetField
from users.serializers import UserBriefSerializer


class ActivitySerializer(serializers.ModelSerializer):
    actor = UserBriefSerializer(read_only=True, allow_null=True)
    target = TargetField()

    class Meta:
        model = Activity
        fields = ["id", "actor", "verb", "target", "target_repr", "changed_fields", "description", "created_at"]
        read_only_fields = fields
