from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.api import viewsets
from dashboard import selectors
from dashboard.employee_figures import figures_for
from dashboard.permissions import AnalyticsViewer
from dashboard.serializers import (
    EmployeeFiguresSerializer,
    MetricsQuerySerializer,
    MetricsSerializer,
    PeriodQuerySerializer,
)
from users.models import User


class MetricsView(APIView):
    """The shop's Google Analytics figures per month and their totals over the range.

    Months whose first day lies in [start_date's month, end_date]. Totals sum counts and
    amounts and recompute every ratio from those sums. For the owner, admins and managers.
    """

    permission_classes = [AnalyticsViewer]

    @extend_schema(parameters=[MetricsQuerySerializer], responses=MetricsSerializer)
    def get(self, request):
        query = MetricsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = query.validated_data["start_date"], query.validated_data["end_date"]
        months = selectors.analytics_months(first_month=start.replace(day=1), last_day=end)
        payload = {
            "start_date": start,
            "end_date": end,
            "months": list(months),
            "totals": selectors.analytics_totals(months),
        }
        return Response(MetricsSerializer(payload).data)


class EmployeeFiguresViewSet(viewsets.GenericViewSet):
    """An employee's figures for a period: deals won and failed with their amounts, leads converted,
    calls and talk time, tasks done and overdue, hours worked.

    Seen by the employee and the heads above them; the owner and admins see everybody. The list
    gives one row per user the caller may see (a team table), in pages.
    """

    model = User
    serializer_class = EmployeeFiguresSerializer

    def scoped_queryset(self, user):
        return selectors.employees_visible(user=user)

    def _period(self):
        query = PeriodQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data

    def _rows(self, users, period):
        figures = figures_for(user_ids=[u.pk for u in users], start=period["start"], end=period["end"])
        return [{"user": u, "first": period["first"], "last": period["last"], **figures[u.pk]} for u in users]

    @extend_schema(parameters=[PeriodQuerySerializer])
    def list(self, request):
        period = self._period()
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(self._rows(page, period), many=True).data)

    @extend_schema(parameters=[PeriodQuerySerializer])
    def retrieve(self, request, pk=None):
        period = self._period()
        (row,) = self._rows([self.get_object()], period)
        return Response(self.get_serializer(row).data)
