from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "deals"
    verbose_name = _("Deals")

    def ready(self):
        from calendars import registry as calendars
        from comments import registry
        from crm import trash
        from deals.calendar import deal_events
        from deals.models import Deal, Order, Pipeline, Product, Stage
        from deals.selectors import deals_restorable, deals_visible, orders_visible

        registry.register(Deal, visible_to=deals_visible)
        registry.register(Order, visible_to=orders_visible)
        registry.not_commentable(Pipeline, Stage, Product, reason="settings of the sales process, not work records")
        trash.register("deal", Deal, restorable=deals_restorable, title="title")
        calendars.register("deals", events=deal_events)
