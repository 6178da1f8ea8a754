from django.contrib import admin
from django.utils.translation import pgettext_lazy

from crm.admin import CrmModelAdmin
from dashboard.models import MonthlyAnalytics, SyncCheckpoint


@admin.register(MonthlyAnalytics)
class MonthlyAnalyticsAdmin(CrmModelAdmin):
    """Filled by `manage.py sync_analytics`; read-only here."""

    name_accusative = pgettext_lazy("accusative", "monthly analytics")
    list_display = ["month", "users", "transactions", "purchase_revenue", "ad_cost", "roi", "failed_purchase_rate"]
    date_hierarchy = "month"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SyncCheckpoint)
class SyncCheckpointAdmin(CrmModelAdmin):
    name_accusative = pgettext_lazy("accusative", "sync checkpoint")
    list_display = ["name", "position", "updated_at"]
