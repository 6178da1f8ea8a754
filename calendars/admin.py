from django.contrib import admin

from calendars.models import FeedToken
from crm.admin import CrmModelAdmin


@admin.register(FeedToken)
class FeedTokenAdmin(CrmModelAdmin):
    """Revoke a link by deleting it; tokens themselves are never stored."""

    list_display = ["user", "sources", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "sources", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
