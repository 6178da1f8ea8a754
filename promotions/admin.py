from django.contrib import admin
from django.utils.translation import pgettext_lazy

from crm.admin import CrmModelAdmin
from promotions.models import Discount, PromoCode, Promotion


@admin.register(Promotion)
class PromotionAdmin(CrmModelAdmin):
    name_accusative = pgettext_lazy("accusative", "promotion")
    list_display = ["name", "source", "starts_at", "ends_at", "discount_percent"]
    list_filter = ["source", "starts_at"]
    search_fields = ["name", "external_id"]
    date_hierarchy = "starts_at"


@admin.register(PromoCode)
class PromoCodeAdmin(CrmModelAdmin):
    list_display = ["code", "source", "discount_type", "amount", "starts_at", "ends_at", "usage_count"]
    list_filter = ["source", "discount_type"]
    search_fields = ["code", "external_id"]
    date_hierarchy = "starts_at"


@admin.register(Discount)
class DiscountAdmin(CrmModelAdmin):
    name_accusative = pgettext_lazy("accusative", "discount")
    list_display = ["name", "sku", "source", "regular_price", "sale_price", "starts_at", "ends_at"]
    list_filter = ["source"]
    search_fields = ["name", "sku", "external_id"]
    list_select_related = ["product"]
    autocomplete_fields = ["product"]
