from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from timetracker.models import Segment, WorkPeriod
from users.serializers import UserBriefSerializer


class SegmentStateSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(allow_null=True)


class TimerStateSerializer(serializers.Serializer):
    day = serializers.DateField()
    running = serializers.BooleanField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished = serializers.BooleanField()
    elapsed_seconds = serializers.IntegerField()
    segments = SegmentStateSerializer(many=True)


class SegmentSerializer(serializers.ModelSerializer):
    seconds = serializers.IntegerField(read_only=True)

    class Meta:
        model = Segment
        fields = ["id", "start", "end", "seconds"]
        read_only_fields = fields


class WorkPeriodSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)
    segments = SegmentSerializer(many=True, read_only=True)

    class Meta:
        model = WorkPeriod
        fields = ["id", "user", "day", "finished", "total_seconds", "segments"]
        read_only_fields = fields


class ReportRowSerializer(serializers.Serializer):
    start = serializers.DateField(help_text=_("First day of the day, week or month."))
    seconds = serializers.IntegerField()
    hours = serializers.FloatField()
