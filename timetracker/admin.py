from django.contrib import admin

from timetracker.models import Segment, WorkPeriod


class SegmentInline(admin.TabularInline):
    model = Segment
    extra = 0
    raw_id_fields = ["user"]


@admin.register(WorkPeriod)
class WorkPeriodAdmin(admin.ModelAdmin):
    list_display = ["day", "user", "finished", "total_seconds"]
    list_filter = ["finished", "day"]
    search_fields = ["user__email", "user__last_name", "user__first_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "day"
    inlines = [SegmentInline]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["start", "end", "user", "period"]
    list_filter = ["start"]
    search_fields = ["user__email"]
    list_select_related = ["user", "period"]
    raw_id_fields = ["user", "period"]
