from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "deals"
    verbose_name = _("Deals")

    def ready(self):
        from calendars import registry as calendars
        from comments import registry
        from contacts import timeline
        from crm import search, trash
        from deals.calendar import deal_events
        from deals.models import Deal, Order, Pipeline, Product, Stage
        from deals.selectors import center_my_work, deals_restorable, deals_visible, orders_visible
        from users import center

        registry.register(Deal, visible_to=deals_visible)
        registry.register(Order, visible_to=orders_visible)
        registry.not_commentable(Pipeline, Stage, Product, reason="settings of the sales process, not work records")
        trash.register("deal", Deal, restorable=deals_restorable, title="title")
        calendars.register("deals", events=deal_events)
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
        center.register("leads_and_deals", center_my_work)
