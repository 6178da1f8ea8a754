from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from crm.api import viewsets
from timetracker import selectors, services
from timetracker.filters import ReportFilter, WorkPeriodFilter
from timetracker.models import WorkPeriod
from timetracker.permissions import can_see_records_of
from timetracker.serializers import ReportRowSerializer, TimerStateSerializer, WorkPeriodSerializer


class TimerViewSet(viewsets.GenericViewSet):
    """Your work timer. Every open tab hears each change on `/ws/timer/`."""

    model = WorkPeriod
    serializer_class = TimerStateSerializer
    filter_backends: list = []
    pagination_class = None

    def scoped_queryset(self, user):
        return WorkPeriod.objects.filter(user=user)

    def _state(self, state):
        return Response(TimerStateSerializer(state).data)

    @extend_schema(responses=TimerStateSerializer)
    @action(detail=False, methods=["get"])
    def state(self, request):
        return self._state(selectors.timer_state(user=request.user))

    @extend_schema(request=None, responses=TimerStateSerializer)
    @action(detail=False, methods=["post"])
    def start(self, request):
        return self._state(services.timer_start(user=request.user))

    @extend_schema(request=None, responses=TimerStateSerializer)
    @action(detail=False, methods=["post"])
    def pause(self, request):
        return self._state(services.timer_pause(user=request.user))

    @extend_schema(request=None, responses=TimerStateSerializer)
    @action(detail=False, methods=["post"])
    def resume(self, request):
        return self._state(services.timer_resume(user=request.user))

    @extend_schema(request=None, responses=TimerStateSerializer)
    @action(detail=False, methods=["post"])
    def stop(self, request):
        return self._state(services.timer_stop(user=request.user))


class WorkPeriodViewSet(viewsets.ReadOnlyModelViewSet):
    """Working days with their segments: yours and your subordinates'; the owner and admins see all."""

    model = WorkPeriod
    serializer_class = WorkPeriodSerializer
    filterset_class = WorkPeriodFilter
    ordering_fields = ["day"]

    def scoped_queryset(self, user):
        return selectors.work_period_list(user=user)

    @extend_schema(filters=True, responses=ReportRowSerializer(many=True))
    @action(detail=False, methods=["get"], filterset_class=ReportFilter, pagination_class=None)
    def report(self, request):
        """Hours worked per day, week or month (`group_by`) by one user (`user`, yourself by default)."""
        filterset = ReportFilter(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        user_id = int(filterset.form.cleaned_data.get("user") or request.user.pk)
        if not can_see_records_of(viewer=request.user, user_id=user_id):
            raise NotFound(_("No such user."))
        periods = filterset.qs.filter(user_id=user_id)
        rows = selectors.hours_report(periods=periods, group_by=filterset.form.cleaned_data.get("group_by") or "day")
        return Response(ReportRowSerializer(rows, many=True).data)
