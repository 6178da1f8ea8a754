from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields

from contacts.models import Contact, Phone
from crm.phones import normalize_phone
from crm.spreadsheets import BooleanWidget, DateWidget, ResponsibleResource, lookup_error


def _numbers(raw) -> list[str]:
    parts = [part.strip() for part in str(raw or "").replace(";", ",").split(",")]
    numbers = []
    for part in filter(None, parts):
        try:
            numbers.append(normalize_phone(part))
        except ValidationError:
            raise ValidationError({"phones": _("Not a phone number: %(value)s") % {"value": part}}) from None
    return numbers


class ContactResource(ResponsibleResource):
    """Contacts with their phones; a row is matched to a contact by any of its phones, then by email."""

    phones = fields.Field(attribute=None, column_name="phones")
    birth_date = fields.Field(attribute="birth_date", column_name="birth_date", widget=DateWidget())
    newsletter = fields.Field(attribute="newsletter", column_name="newsletter", widget=BooleanWidget())
    extra_labels = {"phones": _("phones")}

    class Meta:
        model = Contact
        fields = (
            "id",
            "last_name",
            "first_name",
            "patronymic",
            "birth_date",
            "email",
            "phones",
            "payment_method",
            "delivery_method",
            "delivery_company",
            "newsletter",
            "edrpou",
            "responsible",
        )
        import_id_fields = ()
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True

    def get_import_fields(self):
        return [field for field in super().get_import_fields() if field.column_name != "id"]

    def dehydrate_phones(self, contact):
        return ", ".join(phone.number for phone in contact.phones.all())

    def before_import_row(self, row, **kwargs):
        row["phones"] = _numbers(row.get("phones"))

    def get_instance(self, instance_loader, row):
        numbers = row.get("phones") or []
        owners = set(Phone.objects.filter(number__in=numbers).values_list("contact_id", flat=True))
        if len(owners) > 1:
            raise lookup_error(_("These phones belong to different contacts."))
        if owners:
            contact = Contact.all_objects.get(pk=owners.pop())
            if contact.in_trash:
                raise lookup_error(_("The phone belongs to #%(id)s, which is in the trash.") % {"id": contact.pk})
            return contact
        email = str(row.get("email") or "").strip()
        return Contact.objects.filter(email__iexact=email).order_by("pk").first() if email else None

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance.pk and set(row.get("phones") or []) - set(instance.phones.values_list("number", flat=True)):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        have = set(instance.phones.values_list("number", flat=True))
        Phone.objects.bulk_create([Phone(contact=instance, number=n) for n in row.get("phones") or [] if n not in have])
