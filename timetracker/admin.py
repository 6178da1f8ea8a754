from django.contrib import admin

from crm.admin import CrmModelAdmin, CrmTabularInline
from timetracker.models import Segment, WorkPeriod


class SegmentInline(CrmTabularInline):
    model = Segment
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(WorkPeriod)
class WorkPeriodAdmin(CrmModelAdmin):
    list_display = ["day", "user", "finished", "total_seconds"]
    list_filter = ["finished", "day"]
    search_fields = ["user__email", "user__last_name", "user__first_name"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    date_hierarchy = "day"
    inlines = [SegmentInline]


@admin.register(Segment)
class SegmentAdmin(CrmModelAdmin):
    list_display = ["start", "end", "user", "period"]
    list_filter = ["start"]
    search_fields = ["user__email"]
    list_select_related = ["user", "period"]
    autocomplete_fields = ["user", "period"]
