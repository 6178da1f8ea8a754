from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "promotions"
    verbose_name = _("Promotions")

    def ready(self):
        from calendars import registry as calendars
        from comments import registry
        from promotions.models import Discount, PromoCode, Promotion
        from promotions.selectors import (
            discount_events,
            discount_list,
            promo_code_events,
            promo_code_list,
            promotion_events,
            promotion_list,
        )

        # Everyone on the staff reads what the shop runs, and may discuss it.
        registry.register(Promotion, visible_to=lambda user: promotion_list())
        registry.register(PromoCode, visible_to=lambda user: promo_code_list())
        registry.register(Discount, visible_to=lambda user: discount_list())
        calendars.register("promotions", events=promotion_events)
        calendars.register("promo_codes", events=promo_code_events)
        calendars.register("discounts", events=discount_events)
