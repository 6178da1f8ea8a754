from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm.phones import normalize_phone
from crm.spreadsheets import ResponsibleResource
from leads.models import Lead
from leads.selectors import leads_visible


class LeadResource(ResponsibleResource):
    """Leads, matched by phone, then email, among the leads the importer sees; nobody else's are touched."""

    class Meta:
        model = Lead
        fields = ("id", "name", "phone", "email", "source", "status", "notes", "responsible", "created_at")
        import_id_fields = ()
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True

    def get_import_fields(self):
        return [field for field in super().get_import_fields() if field.column_name not in ("id", "created_at")]

    def may_change(self, instance) -> bool:
        return leads_visible(user=self.user).filter(pk=instance.pk).exists()

    def before_import_row(self, row, **kwargs):
        raw = str(row.get("phone") or "").strip()
        if raw:
            try:
                row["phone"] = normalize_phone(raw)
            except ValidationError:
                raise ValidationError({"phone": _("Not a phone number: %(value)s") % {"value": raw}}) from None

    def get_instance(self, instance_loader, row):
        phone, email = row.get("phone"), str(row.get("email") or "").strip()
        if phone:
            found = Lead.objects.filter(phone=phone).order_by("pk").first()
            if found:
                return found
        return Lead.objects.filter(email__iexact=email).order_by("pk").first() if email else None

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance.created_by_id is None:
            instance.created_by_id = self.user.pk
