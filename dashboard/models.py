from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel


def _money(name):
    return models.DecimalField(name, max_digits=16, decimal_places=2, default=0)


def _ratio(name):
    return models.DecimalField(name, max_digits=16, decimal_places=6, null=True, blank=True)


class MonthlyAnalytics(TimeStampedModel):
    """One month of the shop's Google Analytics 4 figures (thesis 3.9), keyed by the month's first day.

    The raw counts and sums come from GA4; the ratios are derived from them when stored, and
    are null where their denominator is zero.
    """

    month = models.DateField(_("month"), unique=True)
    users = models.PositiveIntegerField(_("users"), default=0)
    sessions = models.PositiveIntegerField(_("sessions"), default=0)
    transactions = models.PositiveIntegerField(_("transactions"), default=0)
    ecommerce_purchases = models.PositiveIntegerField(_("e-commerce purchases"), default=0)
    add_to_carts = models.PositiveIntegerField(_("add-to-carts"), default=0)
    purchase_revenue = _money(_("purchase revenue"))
    item_revenue = _money(_("item revenue"))
    total_revenue = _money(_("total revenue"))
    ad_cost = _money(_("ad cost"))
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    sessions_per_user = _ratio(_("sessions per user"))
    transactions_per_user = _ratio(_("transactions per user"))
    revenue_per_transaction = _ratio(_("revenue per transaction"))
    product_revenue_per_purchase = _ratio(_("product revenue per purchase"))
    failed_purchase_rate = _ratio(_("failed-purchase rate"))
    roi = _ratio(_("ROI"))

    class Meta:
        ordering = ["month"]
        verbose_name = _("monthly analytics")
        verbose_name_plural = _("monthly analytics")
        constraints = [models.CheckConstraint(condition=models.Q(month__day=1), name="analytics_month_first_day")]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class SyncCheckpoint(models.Model):
    """Where a sync command stopped, so that a run without arguments starts from there."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    position = models.CharField(_("position"), max_length=100)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sync checkpoint")
        verbose_name_plural = _("sync checkpoints")

    def __str__(self):
        return f"{self.name}: {self.position}"
