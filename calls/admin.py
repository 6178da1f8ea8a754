from django.contrib import admin

from calls.models import Call, ListenerState
from crm.admin import CrmModelAdmin


@admin.register(Call)
class CallAdmin(CrmModelAdmin):
    list_display = ["binotel_id", "type", "external_number", "employee", "contact", "started_at", "disposition"]
    list_filter = ["type", "disposition", "recording_status"]
    search_fields = ["binotel_id", "external_number", "internal_number", "contact__last_name"]
    date_hierarchy = "started_at"
    list_select_related = ["employee", "contact"]
    autocomplete_fields = ["employee", "contact", "lead"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(ListenerState)
class ListenerStateAdmin(CrmModelAdmin):
    """The listener's connection and last event, the backfill's checkpoint: written by the workers only."""

    list_display = ["name", "connected", "last_event_at", "checkpoint", "detail", "updated_at"]
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
