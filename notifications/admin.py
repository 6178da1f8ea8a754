from django.contrib import admin

from crm.admin import CrmModelAdmin
from notifications.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(CrmModelAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "seen_at"]
    list_filter = ["kind", "created_at", "seen_at"]
    search_fields = ["title", "description", "recipient__email"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["recipient"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(CrmModelAdmin):
    list_display = ["user", "kind", "email"]
    list_filter = ["kind", "email"]
    search_fields = ["user__email", "kind"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
