from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel, optional_reference


class ShopRecord(TimeStampedModel):
    """A row copied from the shop, keyed by the shop backend and the shop's own id."""

    source = models.CharField(_("shop backend"), max_length=20)
    external_id = models.CharField(_("id in the shop"), max_length=64)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)

    class Meta:
        abstract = True


class Promotion(ShopRecord):
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    discount_percent = models.DecimalField(_("discount, %"), max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="promotion_unique_external")]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="promotion_period_idx")]

    def __str__(self):
        return self.name


class PromoCode(ShopRecord):
    code = models.CharField(_("code"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    discount_type = models.CharField(_("discount type"), max_length=30, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, default=0)
    usage_count = models.PositiveIntegerField(_("times used (shop's count)"), default=0)
    usage_limit = models.PositiveIntegerField(_("usage limit"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("promo code")
        verbose_name_plural = _("promo codes")
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="promo_code_unique_external")]
        indexes = [
            models.Index(fields=["starts_at", "ends_at"], name="promo_code_period_idx"),
            models.Index(fields=["code"], name="promo_code_code_idx"),
        ]

    def __str__(self):
        return self.code


class Discount(ShopRecord):
    """A product's sale price over a period."""

    name = models.CharField(_("name"), max_length=255)
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    product = optional_reference("deals.Product", _("product"))
    regular_price = models.DecimalField(_("regular price"), max_digits=12, decimal_places=2, null=True, blank=True)
    sale_price = models.DecimalField(_("sale price"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("discount")
        verbose_name_plural = _("discounts")
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="discount_unique_external")]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="discount_period_idx")]

    def __str__(self):
        return self.name
