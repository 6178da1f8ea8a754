import django_filters
from django.utils.translation import gettext_lazy as _

from crm.api.filters import PeriodFilterSet, StrictBooleanFilter, TargetFilter
from notifications.models import Notification


class NotificationFilter(PeriodFilterSet):
    seen = StrictBooleanFilter(field_name="seen_at", lookup_expr="isnull", exclude=True, label=_("Seen"))
    kind = django_filters.CharFilter()
    target = TargetFilter()

    class Meta:
        model = Notification
        fields = ["kind"]
