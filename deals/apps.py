from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "deals"
    verbose_name = _("Deals")

    def ready(self):
        from contacts import timeline
        from crm import search
        from deals.models import Deal, Order
        from deals.selectors import deals_visible, orders_visible

        search.register(
            "deals",
            Deal,
            visible_to=deals_visible,
            fields=["title", "company_name"],
            similar=["title"],
            url_name="deals:deal-detail",
        )
        search.register(
            "orders",
            Order,
            visible_to=orders_visible,
            fields=["shop_order_id"],
            similar=[],
            url_name="deals:order-detail",
        )
        timeline.register(
            "orders",
            visible_to=orders_visible,
            at="ordered_at",
            title="shop_order_id",
            status="status",
            url_name="deals:order-detail",
        )
        from deals.selectors import center_my_work
        from users import center

        center.register("leads_and_deals", center_my_work)
        from crm import trash
        from deals.models import Deal
        from deals.selectors import deals_restorable

        trash.register("deal", Deal, restorable=deals_restorable, title="title")
