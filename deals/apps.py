from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "deals"
    verbose_name = _("Deals")

    def ready(self):
        from calendars import registry as calendars
        from crm import trash
        from deals.calendar import deal_events
        from deals.models import Deal
        from deals.selectors import deals_restorable

        trash.register("deal", Deal, restorable=deals_restorable, title="title")
        calendars.register("deals", events=deal_events)
