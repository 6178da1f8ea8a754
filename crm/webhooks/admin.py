from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from crm.admin import CrmModelAdmin, CrmTabularInline
from crm.webhooks import outbox, services
from crm.webhooks.models import Attempt, Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(CrmModelAdmin):
    list_display = ["url", "owner", "is_active", "consecutive_failures", "disabled_at", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "description", "owner__email"]
    list_select_related = ["owner"]
    exclude = ["secret"]
    # registered through the API, which checks the URL and shows the secret once; here only switched on and off
    readonly_fields = ["owner", "url", "events", "consecutive_failures", "disabled_at", "disabled_reason"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        outbox.forget_subscriptions()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        outbox.forget_subscriptions()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        outbox.forget_subscriptions()


class AttemptInline(CrmTabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ["number", "result", "response_code", "error", "started_at", "duration_ms"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(CrmModelAdmin):
    list_display = ["message_id", "event", "endpoint", "status", "attempts", "last_response_code", "occurred_at"]
    list_filter = ["status", "event"]
    search_fields = ["message_id", "endpoint__url", "target_id"]
    list_select_related = ["endpoint"]
    date_hierarchy = "occurred_at"
    inlines = [AttemptInline]
    actions = ["send_again"]
    readonly_fields = [
        "endpoint",
        "message_id",
        "event",
        "target_type",
        "target_id",
        "snapshot",
        "occurred_at",
        "queued_at",
        "status",
        "attempts",
        "tries",
        "next_attempt_at",
        "locked_until",
        "last_response_code",
        "last_error",
    ]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send again"))
    def send_again(self, request, queryset):
        for delivery in queryset:
            services.delivery_redeliver(delivery=delivery)
        self.message_user(request, _("Queued again: %(count)s.") % {"count": queryset.count()}, messages.SUCCESS)
