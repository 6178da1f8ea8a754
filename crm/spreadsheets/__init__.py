"""What every spreadsheet resource shares: column labels in both languages, and tolerant Ukrainian-or-English cells.

A resource's columns are named by its field names (`first_name`); a file may
head them with that name or with the field's label in English or Ukrainian
("First name", "Ім'я"), as the templates do. Dates read `dd.mm.yyyy` as well
as ISO, decimals a comma as well as a point, booleans "так"/"ні" as well as yes/no.

Every imported row is held to the API's rules before it is written: a cell that cannot be
read, a value the model's validators refuse (email, EDRPOU, choices, lengths, ranges) or one
that does not fit its column (`crm.workers.records.fit`) makes the row a bad row naming its column.
Text loses NUL characters, and the quote an export puts before a formula-like cell.

A feature above the apps: it may import apps; apps use this module (the resources' base),
`crm.spreadsheets.imports` (`ImportMixin`) and `crm.spreadsheets.exports` (`ExportMixin`).
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import partial

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from crm.workers.records import Unfit, fit, without_nul
from users.models import User

LANGUAGES = ("en", "uk")
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y")
# What a spreadsheet program reads as the start of a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class DateWidget(widgets.DateWidget):
    def __init__(self):
        super().__init__(format="%Y-%m-%d")
        self.formats = DATE_FORMATS

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, str):
            value = value.strip()
        return super().clean(value, row, **kwargs)


class DecimalWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            value = value.replace("\xa0", "").replace(" ", "").replace(",", ".")
        if value in (None, ""):
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise ValueError(_("Not a number: %(value)s") % {"value": value}) from None


class IntegerWidget(widgets.IntegerWidget):
    """A whole number; 1.5 is refused rather than cut to 1."""

    def clean(self, value, row=None, **kwargs):
        number = DecimalWidget().clean(value)
        if number is None:
            return None
        if not number.is_finite() or number != number.to_integral_value():
            raise ValueError(_("Not a whole number: %(value)s") % {"value": value})
        if number.adjusted() > 18:  # beyond any integer column, and costly to turn into an int
            raise ValueError(_("Too large a number: %(value)s") % {"value": value})
        return int(number)


class ColleagueWidget(widgets.ForeignKeyWidget):
    """A user named by email; each email of a file is looked up once."""

    def __init__(self):
        super().__init__(User, field="email")
        self.found = {}

    def clean(self, value, row=None, **kwargs):
        email = str(value or "").strip()
        if not email:
            return None
        key = email.lower()
        if key not in self.found:
            self.found[key] = User.objects.filter(email__iexact=email).first()
        if self.found[key] is None:
            raise ValueError(_("No colleague with this email: %(value)s") % {"value": email})
        return self.found[key]


class BooleanWidget(widgets.BooleanWidget):
    TRUE = {"1", "true", "yes", "y", "так", "+", "x"}
    FALSE = {"0", "false", "no", "n", "ні", "-", ""}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool) or value is None:
            return bool(value)
        text = str(value).strip().casefold()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("Not yes or no: %(value)s") % {"value": value})


def cell_value(value):
    if value is None:
        return ""
    if isinstance(value, date | Decimal | int | float | bool):
        return value
    return str(value)


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def imported_cell(value):
    """A cell as read from a file: without NUL characters, and without the quote that an export puts
    before text that would otherwise start a formula, so that an exported file re-imports as it is."""
    value = without_nul(value)
    if isinstance(value, str) and value.startswith("'") and looks_like_formula(value[1:]):
        return value[1:]
    return value


class _NoDiff:
    """What django-import-export keeps to show a row's before and after, which nobody here reads.

    Its own diff exports every field of every row twice (a foreign key's row fetched each time);
    `skip_diff` would also turn off `skip_unchanged`, so the diff stays on and does nothing.
    """

    def __init__(self, resource, instance, new):
        pass

    def compare_with(self, resource, instance):
        pass

    def as_html(self):
        return []


class CrmResource(resources.ModelResource):
    """A ModelResource that knows who imports or exports, labels its columns in the user's language,
    and holds every imported row to the model's rules."""

    WIDGETS_MAP = {
        **resources.ModelResource.WIDGETS_MAP,
        **dict.fromkeys(
            ["IntegerField", "PositiveIntegerField", "BigIntegerField", "PositiveBigIntegerField"], IntegerWidget
        ),
        **dict.fromkeys(["SmallIntegerField", "PositiveSmallIntegerField"], IntegerWidget),
        "DecimalField": DecimalWidget,
        "BooleanField": BooleanWidget,
    }

    def get_diff_class(self):
        return _NoDiff

    def import_row(self, row, instance_loader, **kwargs):
        row = type(row)((column, imported_cell(value)) for column, value in row.items())
        return super().import_row(row, instance_loader, **kwargs)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """A cell its widget cannot read is a ValueError, which marks the row bad under its column."""
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except ValueError:
            raise
        except Exception:  # a widget's lookup or arithmetic: the cell is unreadable, whatever raised it
            raise ValueError(_("Cannot read this value: %(value)s") % {"value": row.get(field.column_name)}) from None

    def import_instance(self, instance, row, **kwargs):
        instance._imported_columns = {
            field.attribute for field in self.get_import_fields() if field.attribute and field.column_name in row
        }
        super().import_instance(instance, row, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's validators (those the API's serializers apply) on what the row sets, then `fit`.

        Relations are left out (the widgets found them, and checking them again would cost a query a row),
        and so are uniqueness and constraints (the matching takes care of them, the database guards them);
        a record being changed is checked on the columns the file has, as a PATCH would be.
        """
        errors = dict(import_validation_errors or {})
        model = self._meta.model
        related = {field.name for field in model._meta.concrete_fields if field.is_relation}
        exclude = set(errors) | related
        if instance.pk is not None:
            imported = getattr(instance, "_imported_columns", set())
            exclude |= {field.name for field in model._meta.concrete_fields if field.name not in imported}
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        names = [
            field.attname
            for field in model._meta.concrete_fields
            if field.name not in exclude and field.name not in errors and not field.is_relation
        ]
        try:
            for name, value in fit(model, {name: getattr(instance, name) for name in names}).items():
                setattr(instance, name, value)
        except Unfit as unfit:
            errors[unfit.field] = [_("This value does not fit its column: %(reason)s.") % {"reason": unfit.reason}]
        if errors:
            raise ValidationError(errors)

    def get_bulk_update_fields(self):
        """What a bulk import writes to a matched record: its columns, and `updated_at`, which
        `bulk_update` would not touch on its own."""
        names = [field.attribute for field in self.get_import_fields() if field.attribute]
        if self._stamps_updates():
            names.append("updated_at")
        return names

    def _stamps_updates(self) -> bool:
        return any(field.name == "updated_at" for field in self._meta.model._meta.concrete_fields)

    def before_save_instance(self, instance, row, **kwargs):
        if self._meta.use_bulk and instance.pk and self._stamps_updates():
            instance.updated_at = timezone.now()

    # Labels of columns that are not model fields: {column: lazy label}.
    extra_labels: dict = {}

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    @classmethod
    def label_of(cls, field) -> str:
        if field.column_name in cls.extra_labels:
            return cls.extra_labels[field.column_name]
        try:
            return cls._meta.model._meta.get_field(field.attribute.split("__")[0]).verbose_name
        except (FieldDoesNotExist, AttributeError):
            return field.column_name

    def header_aliases(self) -> dict[str, str]:
        """Every way a column may be headed (lower case) → its column name."""
        aliases = {}
        for field in self.get_import_fields():
            aliases[field.column_name.casefold()] = field.column_name
            for language in LANGUAGES:
                with translation.override(language):
                    aliases[str(self.label_of(field)).strip().casefold()] = field.column_name
        return aliases

    def normalise_headers(self, dataset) -> None:
        aliases = self.header_aliases()
        dataset.headers = [aliases.get(str(header or "").strip().casefold(), header) for header in dataset.headers]

    def export_queryset(self, queryset):
        """The list's queryset tuned for reading every row once; resources override it."""
        return queryset

    def exporters(self, fields) -> list:
        """One callable per column, resolved once rather than for every cell; numbers stay numbers."""
        found = []
        for field in fields:
            method = getattr(self, f"dehydrate_{self.get_field_name(field)}", None)
            if callable(method):
                found.append(method)
            elif isinstance(field.widget, widgets.NumberWidget):
                found.append(partial(field.export, force_native_type=True))
            else:
                found.append(field.export)
        return found

    def headings(self, fields) -> list[str]:
        """Column headings in the active language."""
        return [capfirst(str(self.label_of(field))) for field in fields]


class ResponsibleResource(CrmResource):
    """Records with a responsible user: the importer becomes responsible unless the `responsible` column
    names a colleague by email; an existing record is changed only by someone who may change it.

    A subclass matches rows to records itself (`get_instance`), so no column is an id; its Meta inherits
    these options (django-import-export merges a parent's Meta into its subclasses').
    """

    class Meta:
        import_id_fields = ()
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True
        use_bulk = True
        batch_size = 1000

    # An empty cell leaves the responsible user as it is (the importer, for a new record).
    responsible = fields.Field(
        attribute="responsible", column_name="responsible", widget=ColleagueWidget(), saves_null_values=False
    )

    def may_change(self, instance) -> bool:
        return bool(self.user.is_owner_or_admin or instance.responsible_id == self.user.pk)

    def after_init_instance(self, instance, new, row, **kwargs):
        # Neither the record nor its holder is named: the importer may not even see it.
        if not new and not self.may_change(instance):
            raise ValidationError(_("This row matches a record you may not change."), code="not_yours")

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance.responsible_id is None:
            instance.responsible = self.user  # the object, so nothing reads the user back per row


def lookup_error(message) -> ValidationError:
    return ValidationError(message, code="match")
