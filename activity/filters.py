import django_filters

from activity.models import Activity
from crm.api.filters import PeriodFilterSet, TargetFilter


class ActivityFilter(PeriodFilterSet):
    target = TargetFilter()
    verb = django_filters.CharFilter()

    class Meta:
        model = Activity
        fields = ["actor", "verb"]
