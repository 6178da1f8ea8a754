from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.validators import validate_edrpou
from crm.files.uploads import UploadTo, validate_upload
from crm.models import TimeStampedModel, optional_reference, user_reference
from crm.trash import TrashableModel


class Contact(TrashableModel, TimeStampedModel):
    """A customer of the company."""

    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    payment_method = models.CharField(_("payment method"), max_length=100, blank=True)
    delivery_method = models.CharField(_("delivery method"), max_length=100, blank=True)
    delivery_company = models.CharField(_("delivery company"), max_length=100, blank=True)
    newsletter = models.BooleanField(_("receives the newsletter"), default=False)
    company = optional_reference("companies.Company", _("company"), related_name="employees")
    edrpou = models.CharField(_("EDRPOU code"), max_length=8, blank=True, validators=[validate_edrpou])
    responsible = user_reference(_("responsible"), related_name="responsible_contacts")
    loyalty_balance = models.DecimalField(
        _("loyalty balance"), max_digits=12, decimal_places=2, default=Decimal("0"), editable=False
    )

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(Lower("last_name"), name="contact_last_name_lower_idx"),
            # the shop sync matches a buyer's email in any case
            models.Index(Lower("email"), name="contact_email_lower_idx"),
            models.Index(fields=["responsible", "-created_at"], name="contact_responsible_idx"),
            models.Index(fields=["last_name", "first_name", "id"], name="contact_list_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(loyalty_balance__gte=0), name="contact_balance_not_negative")
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        # An attribute, so serializers read it without inspecting a callable on every row.
        name = " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)
        return name or self.email or f"#{self.pk}"


class Phone(models.Model):
    """A phone number in E.164; one number belongs to one contact at most."""

    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number"), max_length=20, unique=True)
    label = models.CharField(_("label"), max_length=50, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("phone")
        verbose_name_plural = _("phones")

    def __str__(self):
        return self.number


class EventType(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("Email")
    ORDER = "order", _("Order")
    VISIT = "visit", _("Visit to the shop")
    OTHER = "other", _("Other")


class ContactEvent(models.Model):
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("type"), max_length=20, choices=EventType.choices)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    call_id = models.CharField(_("call id"), max_length=64, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("contact event")
        verbose_name_plural = _("contact events")
        indexes = [models.Index(fields=["contact", "-occurred_at"], name="contact_event_idx")]

    def __str__(self):
        return f"{self.get_type_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class ContactActivity(models.Model):
    """Something done with a contact: a call made, a meeting held, an offer sent."""

    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="activities")
    name = models.CharField(_("name"), max_length=255)
    type = models.CharField(_("type"), max_length=50)
    responsible = user_reference(_("responsible"))
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    message = models.TextField(_("message"), blank=True)
    # For a message sent to the contact (an SMS): the provider's id and what it answered.
    provider_message_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    delivery_status = models.CharField(_("delivery status"), max_length=100, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("contact activity")
        verbose_name_plural = _("contact activities")
        indexes = [models.Index(fields=["contact", "-occurred_at"], name="contact_activity_idx")]

    def __str__(self):
        return self.name


class Direction(models.TextChoices):
    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")


class Letter(models.Model):
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="letters")
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"), blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        indexes = [models.Index(fields=["contact", "-sent_at"], name="letter_contact_idx")]

    def __str__(self):
        return self.subject


class LoyaltyKind(models.TextChoices):
    ACCRUED = "accrued", _("Accrued")
    SPENT = "spent", _("Spent")


class LoyaltyTransaction(models.Model):
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="loyalty_transactions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LoyaltyKind.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    order_reference = models.CharField(_("order"), max_length=64, blank=True)
    balance_after = models.DecimalField(_("balance after"), max_digits=12, decimal_places=2)
    created_by = user_reference(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("loyalty transaction")
        verbose_name_plural = _("loyalty transactions")
        indexes = [models.Index(fields=["contact", "-created_at"], name="loyalty_contact_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="loyalty_amount_positive")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class ReturnStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class Return(TimeStampedModel):
    """A customer's request to return goods of an order."""

    # The transitions each action allows: action -> (from states, to state).
    TRANSITIONS = {
        "approve": ({ReturnStatus.PENDING}, ReturnStatus.APPROVED),
        "reject": ({ReturnStatus.PENDING}, ReturnStatus.REJECTED),
        "cancel": ({ReturnStatus.PENDING, ReturnStatus.APPROVED}, ReturnStatus.CANCELLED),
    }

    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.PROTECT, related_name="returns")
    order_reference = models.CharField(_("order"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=255)
    file = models.FileField(_("file"), upload_to=UploadTo("returns"), validators=[validate_upload], blank=True)
    comment = models.TextField(_("comment"), blank=True)
    date = models.DateField(_("date"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.PENDING, db_index=True
    )
    responsible = user_reference(_("responsible"), related_name="responsible_returns")
    decided_by = user_reference(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")

    def __str__(self):
        return _("Return #%(id)s") % {"id": self.pk}


class ReturnItem(models.Model):
    return_request = models.ForeignKey(Return, verbose_name=_("return"), on_delete=models.CASCADE, related_name="items")
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=255)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["id"]
        verbose_name = _("returned item")
        verbose_name_plural = _("returned items")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="return_item_quantity_positive")
        ]

    def __str__(self):
        return f"{self.sku} × {self.quantity}"


class RequestChannel(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    SHOP = "shop", _("Shop")
    OTHER = "other", _("Other")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")


class CustomerRequest(TimeStampedModel):
    """A customer's inquiry or complaint ("звернення"), with the order or deal it concerns."""

    # action -> (from states, to state)
    TRANSITIONS = {
        "start": ({RequestStatus.OPEN}, RequestStatus.IN_PROGRESS),
        "resolve": ({RequestStatus.OPEN, RequestStatus.IN_PROGRESS}, RequestStatus.RESOLVED),
        "reject": ({RequestStatus.OPEN, RequestStatus.IN_PROGRESS}, RequestStatus.REJECTED),
        "reopen": ({RequestStatus.RESOLVED, RequestStatus.REJECTED}, RequestStatus.OPEN),
    }

    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="requests")
    reason = models.CharField(_("reason"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=RequestChannel.choices, default=RequestChannel.OTHER
    )
    status = models.CharField(_("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    order = optional_reference("deals.Order", _("order"), related_name="customer_requests")
    deal = optional_reference("deals.Deal", _("deal"), related_name="customer_requests")
    responsible = user_reference(_("responsible"), related_name="responsible_requests")
    created_by = user_reference(_("created by"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("customer request")
        verbose_name_plural = _("customer requests")
        indexes = [
            models.Index(fields=["status", "reason"], name="request_status_reason_idx"),
            models.Index(fields=["contact", "-created_at"], name="request_contact_idx"),
            models.Index(fields=["responsible", "status"], name="request_responsible_idx"),
        ]

    def __str__(self):
        return _("Request #%(id)s: %(reason)s") % {"id": self.pk, "reason": self.reason}


class SendReceipt(models.Model):
    """The answer to a send request made with an Idempotency-Key, so a retry gets it again instead of a second send."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    scope = models.CharField(_("request"), max_length=255)
    response = models.JSONField(_("response"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("send receipt")
        verbose_name_plural = _("send receipts")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="send_receipt_unique_key")]

    def __str__(self):
        return self.key


class SendOutcome(models.TextChoices):
    """What became of a message to a customer. `unknown`: the request left and no answer came back, so it may
    have gone; it is never sent again on its own (an operator checks with the provider and decides)."""

    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not sent")
    UNKNOWN = "unknown", _("Unknown: may have been sent")
    SKIPPED = "skipped", _("Skipped")


# What one send can end as.
SEND_RESULTS = (SendOutcome.SENT, SendOutcome.FAILED, SendOutcome.UNKNOWN)


class CampaignChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class Campaign(TimeStampedModel):
    """A mass send to the contacts with newsletter consent; `last_contact_id` is where a re-run resumes."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=CampaignChannel.choices)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    text = models.TextField(_("text"))
    filters = models.CharField(_("contact filters"), max_length=1000, blank=True)
    sender = user_reference(_("sender"))
    last_contact_id = models.BigIntegerField(_("last contact done"), default=0)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    unknown = models.PositiveIntegerField(_("outcome unknown"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.name


class CampaignRecipient(models.Model):
    """One contact of a campaign, written as `sending` before the message leaves: a contact with a row is never
    sent to again by the campaign, so a run that dies mid-send leaves `sending`, which the next run marks unknown."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="recipients"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="campaign_recipients"
    )
    status = models.CharField(_("status"), max_length=10, choices=SendOutcome.choices, default=SendOutcome.SENDING)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["campaign", "contact_id"]
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="campaign_recipient_unique_contact")
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="campaign_recipient_status_idx")]

    def __str__(self):
        return f"{self.campaign}: {self.contact_id}"
