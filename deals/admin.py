from django.contrib import admin

from crm.trash_admin import TrashAdminMixin
from deals.models import Deal, Order, OrderItem, Pipeline, Product, Stage


class StageInline(admin.TabularInline):
    model = Stage
    extra = 1


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    raw_id_fields = ["product"]
    readonly_fields = ["total"]


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    search_fields = ["name"]
    inlines = [StageInline]


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "pipeline", "position"]
    list_filter = ["pipeline"]
    search_fields = ["name"]
    list_select_related = ["pipeline"]


@admin.register(Deal)
class DealAdmin(TrashAdminMixin, admin.ModelAdmin):
    list_display = ["title", "contact", "pipeline", "stage", "status", "amount", "responsible", "created_at"]
    list_filter = ["status", "pipeline", "kind", "payment_status", "created_at"]
    search_fields = ["title", "shop_order_id", "company_name", "contact__last_name", "contact__email"]
    list_select_related = ["contact", "pipeline", "stage", "responsible"]
    raw_id_fields = ["contact", "responsible", "created_by"]
    date_hierarchy = "created_at"


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "package", "quantity_in_stock"]
    search_fields = ["sku", "name"]
    list_filter = ["package"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["__str__", "contact", "deal", "status", "ordered_at"]
    list_filter = ["status", "ordered_at"]
    search_fields = ["shop_order_id", "contact__last_name", "contact__email"]
    list_select_related = ["contact", "deal"]
    raw_id_fields = ["contact", "deal"]
    inlines = [OrderItemInline]
