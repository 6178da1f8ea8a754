from contextlib import suppress

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from crm.api.phones import normalize_phone
from crm.spreadsheets import ResponsibleResource
from leads.models import Lead
from leads.selectors import leads_visible
from leads.services import ACTION_STATUSES


class LeadResource(ResponsibleResource):
    """Leads, matched by phone, then email, among the leads the importer sees; nobody else's are touched.

    The API's status rules hold: a file neither converts nor fails a lead (those are actions, which make a
    contact and a deal or record a reason), and a converted or failed lead is not changed; an unchanged row of
    such a lead, as an export writes it, is skipped like any unchanged row.
    """

    class Meta:
        model = Lead
        fields = ("id", "name", "phone", "email", "source", "status", "notes", "responsible", "created_at")

    def get_import_fields(self):
        return [field for field in super().get_import_fields() if field.column_name not in ("id", "created_at")]

    def before_import(self, dataset, **kwargs):
        """The leads the file's rows match and which of them the importer sees, read once for the whole file."""
        phones, emails = set(), set()
        for row in dataset.dict:
            raw = str(row.get("phone") or "").strip()
            if raw:
                with suppress(ValidationError):  # a bad number is reported with its row
                    phones.add(normalize_phone(raw))
            emails.add(str(row.get("email") or "").strip().lower())
        matches = Lead.objects.annotate(email_key=Lower("email")).filter(
            Q(phone__in=phones) | Q(email_key__in=emails - {""})
        )
        self.by_phone, self.by_email = {}, {}
        for lead in matches.order_by("pk"):
            self.by_phone.setdefault(lead.phone, lead)
            self.by_email.setdefault(lead.email_key, lead)
        found = {lead.pk for lead in [*self.by_phone.values(), *self.by_email.values()]}
        self.visible = set(leads_visible(user=self.user).filter(pk__in=found).values_list("pk", flat=True))

    def may_change(self, instance) -> bool:
        return instance.pk in self.visible

    def before_import_row(self, row, **kwargs):
        raw = str(row.get("phone") or "").strip()
        if raw:
            try:
                row["phone"] = normalize_phone(raw)
            except ValidationError:
                raise ValidationError({"phone": _("Not a phone number: %(value)s") % {"value": raw}}) from None

    def get_instance(self, instance_loader, row):
        phone, email = row.get("phone"), str(row.get("email") or "").strip().lower()
        if phone and phone in self.by_phone:
            return self.by_phone[phone]
        return self.by_email.get(email) if email else None

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance.created_by_id is None:
            instance.created_by_id = self.user.pk

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        instance._stored_status = None if new else instance.status

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        stored = getattr(instance, "_stored_status", None)
        if stored in ACTION_STATUSES:
            errors.setdefault(NON_FIELD_ERRORS, []).append(_("This lead is converted or failed already."))
        elif instance.status in ACTION_STATUSES and "status" not in errors:
            errors["status"] = [_("Use the convert or fail action for this status.")]
        super().validate_instance(instance, errors, validate_unique)
