from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel, optional_reference, user_reference


class CallType(models.TextChoices):
    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")


class Call(TimeStampedModel):
    """One call of the company's Binotel PBX, keyed by Binotel's generalCallID.

    Rows are only written by `calls.services.call_upsert`: the listener, the
    REST backfill and the webhook may each bring a part of a call, in any order.
    """

    binotel_id = models.CharField(_("Binotel call id"), max_length=64, unique=True)
    type = models.CharField(_("type"), max_length=10, choices=CallType.choices, blank=True)
    internal_number = models.CharField(_("internal number"), max_length=20, blank=True)
    external_number = models.CharField(_("client number"), max_length=32, blank=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(_("wait, seconds"), null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(_("talk, seconds"), null=True, blank=True)
    disposition = models.CharField(_("disposition"), max_length=20, blank=True, db_index=True)
    recording_status = models.CharField(_("recording status"), max_length=20, blank=True)
    employee = user_reference(_("employee"), related_name="calls")
    contact = optional_reference("contacts.Contact", _("contact"), related_name="calls")
    lead = optional_reference("leads.Lead", _("lead"), related_name="calls")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="call_started_idx"),
            models.Index(fields=["employee", "-started_at"], name="call_employee_idx"),
            models.Index(fields=["contact", "-started_at"], name="call_contact_idx"),
            models.Index(fields=["lead", "-started_at"], name="call_lead_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=["", *CallType.values]),
                name="call_type_known",
            )
        ]

    def __str__(self):
        return f"{self.binotel_id} {self.external_number}".strip()

    @property
    def is_finished(self) -> bool:
        return self.ended_at is not None or bool(self.disposition)


class ListenerState(models.Model):
    """Where a Binotel worker stands: the listener's connection, the backfill's checkpoint."""

    name = models.CharField(_("worker"), max_length=50, unique=True)
    connected = models.BooleanField(_("connected"), default=False)
    last_event_at = models.DateTimeField(_("last event at"), null=True, blank=True)
    checkpoint = models.DateTimeField(_("synchronised up to"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Binotel worker state")
        verbose_name_plural = _("Binotel worker states")

    def __str__(self):
        return self.name
