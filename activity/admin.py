from django.contrib import admin

from activity.models import Activity
from crm.admin import CrmModelAdmin


@admin.register(Activity)
class ActivityAdmin(CrmModelAdmin):
    list_display = ["created_at", "actor", "verb", "target_type", "target_repr"]
    list_filter = ["verb", "target_type", "created_at"]
    search_fields = ["target_repr", "description", "actor__email", "actor__last_name"]
    list_select_related = ["actor", "target_type"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
