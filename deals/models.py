from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel, optional_reference, user_reference
from crm.trash import TrashableModel


class Pipeline(TimeStampedModel):
    """A deal page: a funnel of ordered stages."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")

    def __str__(self):
        return self.name


class Stage(models.Model):
    pipeline = models.ForeignKey(Pipeline, verbose_name=_("pipeline"), on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=150)
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        ordering = ["pipeline", "position", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "position"], name="stage_unique_position"),
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_unique_name"),
        ]

    def __str__(self):
        return f"{self.pipeline}: {self.name}"


class DealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    FAILED = "failed", _("Failed")


class DealKind(models.TextChoices):
    STANDARD = "standard", _("Standard")
    CUSTOM = "custom", _("Custom")


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")


class Deal(TrashableModel, TimeStampedModel):
    title = models.CharField(_("title"), max_length=255)
    contact = models.ForeignKey(
        "contacts.Contact", verbose_name=_("contact"), on_delete=models.PROTECT, related_name="deals"
    )
    pipeline = models.ForeignKey(Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="deals")
    shop_order_id = models.CharField(_("shop order id"), max_length=64, null=True, blank=True, unique=True)
    payment_status = models.CharField(
        _("payment status"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID
    )
    payment_type = models.CharField(_("payment type"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DealStatus.choices, default=DealStatus.OPEN)
    company_name = models.CharField(_("company name"), max_length=255, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DealKind.choices, default=DealKind.STANDARD)
    description = models.TextField(_("description"), blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=255, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    responsible = user_reference(_("responsible"), related_name="responsible_deals")
    created_by = user_reference(_("created by"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(fields=["pipeline", "stage", "-created_at"], name="deal_kanban_idx"),
            models.Index(fields=["responsible", "status", "-created_at"], name="deal_responsible_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind=DealKind.CUSTOM) | ~models.Q(description=""),
                name="deal_custom_has_description",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="deal_amount_not_negative"),
        ]

    def __str__(self):
        return self.title


class Product(TimeStampedModel):
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    package = models.CharField(_("package"), max_length=100, blank=True)
    quantity_in_stock = models.IntegerField(_("quantity in stock"), default=0)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return f"{self.sku} {self.name}"


class Order(TimeStampedModel):
    contact = models.ForeignKey(
        "contacts.Contact", verbose_name=_("contact"), on_delete=models.PROTECT, related_name="orders"
    )
    deal = optional_reference(Deal, _("deal"), related_name="orders")
    shop_order_id = models.CharField(_("shop order id"), max_length=64, null=True, blank=True, unique=True)
    ordered_at = models.DateTimeField(_("ordered at"))
    status = models.CharField(_("status"), max_length=50, blank=True)

    class Meta:
        ordering = ["-ordered_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self):
        return self.shop_order_id or f"#{self.pk}"


class OrderItem(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="items")
    product = optional_reference(Product, _("product"))
    name = models.CharField(_("name"), max_length=255)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    total = models.GeneratedField(
        expression=F("quantity") * F("price"),
        output_field=models.DecimalField(max_digits=14, decimal_places=2),
        db_persist=True,
        verbose_name=_("total"),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gte=1), name="order_item_quantity_positive")]

    def __str__(self):
        return f"{self.name} × {self.quantity}"
