from contextlib import suppress

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from import_export import fields

from contacts.models import Contact, Phone
from crm.api.phones import normalize_phone
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
    """Contacts with their phones; a row is matched to a contact by any of its phones, then by email.

    Written in bulk: the matches of the whole file are read in a few queries before the first row,
    and new contacts, changed contacts and new phones are written a thousand at a time.
    """

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

    def get_import_fields(self):
        return [field for field in super().get_import_fields() if field.column_name != "id"]

    def export_queryset(self, queryset):
        numbers = Prefetch(
            "phones", queryset=Phone.objects.only("contact_id", "number").order_by("id"), to_attr="numbers"
        )
        return queryset.prefetch_related(None).prefetch_related(numbers)

    def dehydrate_phones(self, contact):
        phones = contact.numbers if hasattr(contact, "numbers") else contact.phones.all()
        return ", ".join(phone.number for phone in phones)

    def before_import(self, dataset, **kwargs):
        numbers, emails = set(), set()
        for row in dataset.dict:
            with suppress(ValidationError):  # a bad number is reported with its row
                numbers.update(_numbers(row.get("phones")))
            emails.add(str(row.get("email") or "").strip().lower())
        self.first_row_of = {}  # number -> the first row of this file that has it
        self.phone_owner = dict(Phone.objects.filter(number__in=numbers).values_list("number", "contact_id"))
        by_email = Contact.objects.annotate(key=Lower("email")).filter(key__in=emails - {""}).order_by("-pk")
        self.email_owner = dict(by_email.values_list("key", "pk"))
        ids = set(self.phone_owner.values()) | set(self.email_owner.values())
        self.matched = Contact.all_objects.in_bulk(ids)
        self.current_phones = {pk: set() for pk in ids}
        for contact_id, number in Phone.objects.filter(contact_id__in=ids).values_list("contact_id", "number"):
            self.current_phones[contact_id].add(number)

    def before_import_row(self, row, **kwargs):
        row["phones"] = _numbers(row.get("phones"))
        for number in row["phones"]:
            earlier = self.first_row_of.setdefault(number, kwargs.get("row_number"))
            if earlier != kwargs.get("row_number") and number not in self.phone_owner:
                message = _("%(number)s is also in row %(row)s.") % {"number": number, "row": earlier + 1}
                raise ValidationError({"phones": message})

    def get_instance(self, instance_loader, row):
        owners = {self.phone_owner[n] for n in row["phones"] if n in self.phone_owner}
        if len(owners) > 1:
            raise lookup_error(_("These phones belong to different contacts."))
        if not owners:
            owners = {self.email_owner.get(str(row.get("email") or "").strip().lower())} - {None}
        if not owners:
            return None
        contact = self.matched[owners.pop()]
        if contact.in_trash:
            raise lookup_error(_("The phone belongs to #%(id)s, which is in the trash.") % {"id": contact.pk})
        return contact

    def _new_numbers(self, instance, row) -> list[str]:
        return [n for n in row["phones"] if n not in self.current_phones.get(instance.pk, ())]

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance.pk and self._new_numbers(instance, row):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        instance.import_phones = self._new_numbers(instance, row) if instance.pk else row["phones"]

    def _add_phones(self, contacts, raise_errors, result) -> None:
        phones = [Phone(contact=c, number=n) for c in contacts if c.pk for n in getattr(c, "import_phones", ())]
        try:
            Phone.objects.bulk_create(phones)
        except Exception as error:  # reported like any refused batch: the whole import is rolled back
            self.handle_import_error(result, error, raise_errors)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        created = list(self.create_instances)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size, result)
        self._add_phones(created, raise_errors, result)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        updated = list(self.update_instances)
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size, result)
        self._add_phones(updated, raise_errors, result)
