from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from crm.api.filters import IdFilter, PeriodFilterSet, StrictBooleanFilter
from tasks.models import Task
from tasks.selectors import accepted_shares, mine_condition


class TaskFilter(PeriodFilterSet):
    """`period`, `date_after` and `date_before` are over the planned date."""

    date_field = "date"

    mine = StrictBooleanFilter(method="filter_mine", label=_("Responsible for, created or accepted by me"))
    responsible = IdFilter(method="filter_responsible", label=_("Responsible person"))
    related = IdFilter(method="filter_related", label=_("Related person who accepted the task"))
    tag = IdFilter(method="filter_tag", label=_("Tag"))

    class Meta:
        model = Task
        fields = ["created_by", "finished", "project", "company", "contact", "priority"]

    # Subqueries rather than joins: a task with several matching rows is listed once.
    @extend_schema_field(OpenApiTypes.BOOL)
    def filter_mine(self, queryset, name, value):
        condition = mine_condition(user=self.request.user)
        return queryset.filter(condition) if value else queryset.exclude(condition)

    @extend_schema_field(OpenApiTypes.INT)
    def filter_responsible(self, queryset, name, value):
        return queryset.filter(pk__in=Task.responsible.through.objects.filter(user_id=value).values("task_id"))

    @extend_schema_field(OpenApiTypes.INT)
    def filter_related(self, queryset, name, value):
        return queryset.filter(pk__in=accepted_shares().filter(user_id=value).values("task_id"))

    @extend_schema_field(OpenApiTypes.INT)
    def filter_tag(self, queryset, name, value):
        return queryset.filter(pk__in=Task.tags.through.objects.filter(tag_id=value).values("task_id"))
