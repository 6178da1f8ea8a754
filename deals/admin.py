from django.contrib import admin
from django.utils.translation import pgettext_lazy

from crm.admin import CrmModelAdmin, CrmTabularInline
from crm.trash.admin import TrashAdminMixin
from deals.models import Deal, Order, OrderCoupon, OrderItem, Pipeline, Product, ShopStatusMapping, Stage, SyncState


class StageInline(CrmTabularInline):
    model = Stage
    extra = 1


class OrderItemInline(CrmTabularInline):
    model = OrderItem
    extra = 0
    autocomplete_fields = ["product"]
    readonly_fields = ["total"]


class OrderCouponInline(CrmTabularInline):
    model = OrderCoupon
    extra = 0


@admin.register(Pipeline)
class PipelineAdmin(CrmModelAdmin):
    name_accusative = pgettext_lazy("accusative", "pipeline")
    list_display = ["name", "position"]
    search_fields = ["name"]
    inlines = [StageInline]


@admin.register(Stage)
class StageAdmin(CrmModelAdmin):
    list_display = ["name", "pipeline", "position"]
    list_filter = ["pipeline"]
    search_fields = ["name"]
    list_select_related = ["pipeline"]


@admin.register(Deal)
class DealAdmin(TrashAdminMixin, CrmModelAdmin):
    name_accusative = pgettext_lazy("accusative", "deal")
    list_display = ["title", "contact", "pipeline", "stage", "status", "amount", "responsible", "created_at"]
    list_filter = ["status", "pipeline", "kind", "payment_status", "created_at"]
    search_fields = ["title", "shop_order_id", "company_name", "contact__last_name", "contact__email"]
    list_select_related = ["contact", "pipeline", "stage__pipeline", "responsible"]
    autocomplete_fields = ["contact", "responsible"]
    readonly_fields = ["shop_order_id"]  # the shop sync's and webhook's: it links the deal to the shop's order
    date_hierarchy = "created_at"


@admin.register(Product)
class ProductAdmin(CrmModelAdmin):
    list_display = ["sku", "name", "package", "quantity_in_stock"]
    search_fields = ["sku", "name"]
    list_filter = ["package"]


@admin.register(Order)
class OrderAdmin(CrmModelAdmin):
    list_display = ["__str__", "contact", "deal", "status", "amount", "send_status", "ordered_at"]
    list_filter = ["status", "send_status", "ordered_at"]
    search_fields = ["shop_order_id", "contact__last_name", "contact__email"]
    list_select_related = ["contact", "deal"]
    autocomplete_fields = ["contact", "deal"]
    readonly_fields = ["shop_order_id", "fingerprint", "shop_modified_at", "send_error"]
    inlines = [OrderItemInline, OrderCouponInline]


@admin.register(ShopStatusMapping)
class ShopStatusMappingAdmin(CrmModelAdmin):
    """Where a shop status puts a deal; a status the shop adds appears here after the next sync."""

    list_display = ["backend", "shop_status", "stage", "payment_status", "deal_status"]
    list_editable = ["stage", "payment_status", "deal_status"]
    list_filter = ["backend", "stage__pipeline"]
    search_fields = ["shop_status"]
    list_select_related = ["stage__pipeline"]


@admin.register(SyncState)
class SyncStateAdmin(CrmModelAdmin):
    """The sync commands' checkpoints (editable: clear one to re-read everything) and their last runs."""

    list_display = ["name", "checkpoint", "last_started_at", "last_finished_at", "last_error"]
    readonly_fields = ["last_started_at", "last_finished_at", "last_summary", "last_error"]
