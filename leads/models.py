from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel, optional_reference, user_reference
from crm.trash import TrashableModel


class LeadStatus(models.TextChoices):
    """The stages of the funnel, in order."""

    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    CONVERTED = "converted", _("Converted")
    FAILED = "failed", _("Unsuccessful")


class LeadSource(models.TextChoices):
    WEBSITE = "website", _("Website")
    SHOP = "shop", _("Online shop")
    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("Email")
    SOCIAL = "social", _("Social networks")
    REFERRAL = "referral", _("Referral")
    OTHER = "other", _("Other")


class Lead(TrashableModel, TimeStampedModel):
    name = models.CharField(_("name"), max_length=255)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=LeadSource.choices, default=LeadSource.OTHER)
    status = models.CharField(_("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW)
    notes = models.TextField(_("notes"), blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=255, blank=True)
    responsible = user_reference(_("responsible"), related_name="responsible_leads")
    created_by = user_reference(_("created by"))
    contact = optional_reference("contacts.Contact", _("contact"), related_name="leads")
    deal = models.OneToOneField(
        "deals.Deal", verbose_name=_("deal"), null=True, blank=True, on_delete=models.SET_NULL, related_name="lead"
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["status", "-created_at"], name="lead_status_idx"),
            models.Index(fields=["responsible", "-created_at"], name="lead_responsible_idx"),
        ]

    def __str__(self):
        return self.name
