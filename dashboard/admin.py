from django.contrib import admin

from dashboard.models import MonthlyAnalytics, SyncCheckpoint


@admin.register(MonthlyAnalytics)
class MonthlyAnalyticsAdmin(admin.ModelAdmin):
    """Filled by `manage.py sync_analytics`; read-only here."""

    list_display = ["month", "users", "transactions", "purchase_revenue", "ad_cost", "roi", "failed_purchase_rate"]
    date_hierarchy = "month"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SyncCheckpoint)
class SyncCheckpointAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "updated_at"]
