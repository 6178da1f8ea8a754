"""The one strict way to read numbers, dates, datetimes and booleans that a client sends.

Query strings go through django-filter with the filters of `crm.api.filters`, whose form
fields are defined here; request bodies through the DRF fields defined here (the
project's `crm.api.serializers.ModelSerializer` maps model fields to them); the rare
hand-read parameter through `query_param`. All of them accept ASCII digits only
(superscript, full-width and Arabic-Indic digits are refused rather than read as numbers), ids up to the largest
64-bit value, and days and moments whose year stays within 1-9998 once shifted
between the project's time zone and UTC, so that neither Python nor the database
overflows. Anything else is a 400 naming the parameter.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

import django_filters.fields
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime as django_parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.api.ids import MAX_ID

MIN_YEAR, MAX_YEAR = 1, 9998

_INTEGER = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+(?:Z|[+-][0-9]{2}:?[0-9]{2})?")
TRUE_VALUES, FALSE_VALUES = ("true", "1"), ("false", "0")

INVALID_INTEGER = _("A whole number written with the digits 0-9.")
INVALID_NUMBER = _("A number written with the digits 0-9 and an optional decimal point.")
INVALID_DATE = _("A date written YYYY-MM-DD.")
INVALID_DATETIME = _("A date and time in ISO 8601, such as 2024-05-01T09:30:00+03:00.")
INVALID_BOOLEAN = _("true or false.")
OUT_OF_RANGE_DATE = _("A date between the years %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}


def _text(value) -> str:
    return value if isinstance(value, str) else str(value)


def representable_day(day: date) -> bool:
    """Whether the whole day, in the current time zone, is between years 1 and 9998 in UTC too."""
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        return False
    try:
        start = timezone.make_aware(datetime.combine(day, time.min)).astimezone(UTC)
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min)).astimezone(UTC)
    except (OverflowError, ValueError):
        return False
    return start.year >= MIN_YEAR and end.year <= MAX_YEAR


def representable_moment(moment: datetime) -> bool:
    try:
        local = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        shifted = local.astimezone(UTC)
    except (OverflowError, ValueError):
        return False
    if not (MIN_YEAR <= local.year <= MAX_YEAR and MIN_YEAR <= shifted.year <= MAX_YEAR):
        return False
    # Before 1924 Kyiv's offset had seconds (+02:02:04), which an RFC 3339 answer cannot write.
    offset = shifted.astimezone(timezone.get_current_timezone()).utcoffset()
    return offset is not None and offset.seconds % 60 == 0


def parse_int(value, *, min_value: int | None = None, max_value: int | None = MAX_ID) -> int:
    """An integer written in ASCII digits (a JSON number is fine); ValidationError otherwise."""
    if isinstance(value, bool):
        raise ValidationError(INVALID_INTEGER, code="invalid")
    if isinstance(value, int):
        number = value
    else:
        text = _text(value).strip()
        if not _INTEGER.fullmatch(text) or len(text) > 25:
            raise ValidationError(INVALID_INTEGER, code="invalid")
        number = int(text)
    if min_value is not None and number < min_value:
        raise ValidationError(_("At least %(limit)s."), code="min_value", params={"limit": min_value})
    if max_value is not None and number > max_value:
        raise ValidationError(_("At most %(limit)s."), code="max_value", params={"limit": max_value})
    return number


def parse_decimal(value) -> Decimal:
    if isinstance(value, bool) or (isinstance(value, float) and value != value):
        raise ValidationError(INVALID_NUMBER, code="invalid")
    text = _text(value).strip()
    if not _DECIMAL.fullmatch(text) or len(text) > 40:
        raise ValidationError(INVALID_NUMBER, code="invalid")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise ValidationError(INVALID_NUMBER, code="invalid") from None


def parse_date(value) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
    else:
        text = _text(value).strip()
        if not _DATE.fullmatch(text):
            raise ValidationError(INVALID_DATE, code="invalid")
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValidationError(INVALID_DATE, code="invalid") from None
    if not representable_day(day):
        raise ValidationError(OUT_OF_RANGE_DATE, code="out_of_range")
    return day


def parse_datetime(value) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        text = _text(value).strip()
        if not _DATETIME.fullmatch(text):
            raise ValidationError(INVALID_DATETIME, code="invalid")
        try:
            moment = django_parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None:
            raise ValidationError(INVALID_DATETIME, code="invalid")
    if not representable_moment(moment):
        raise ValidationError(OUT_OF_RANGE_DATE, code="out_of_range")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    raise ValidationError(INVALID_BOOLEAN, code="invalid")


_MISSING = object()


def query_param(request, name: str, parse, *, default=_MISSING, **limits):
    """Read `name` from the query string with one of the parsers above; a 400 naming it otherwise.

    Without a default the parameter is required.
    """
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        if default is _MISSING:
            raise serializers.ValidationError({name: [_("This parameter is required.")]})
        return default
    try:
        return parse(raw, **limits)
    except ValidationError as error:
        raise serializers.ValidationError({name: error.messages}) from None


# --- Django form fields, for django-filter -------------------------------------------------------


def _form_field(parse):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse(value, **self.parse_limits())
        except ValidationError as error:
            raise ValidationError(error.messages, code=getattr(error, "code", "invalid")) from None

    return to_python


class IntegerFormField(forms.IntegerField):
    def __init__(self, *args, max_value=MAX_ID, **kwargs):
        super().__init__(*args, max_value=max_value, **kwargs)

    def parse_limits(self):
        return {"max_value": None}  # the field's own validators check the limits and name them

    to_python = _form_field(parse_int)


class DecimalFormField(forms.DecimalField):
    def parse_limits(self):
        return {}

    to_python = _form_field(parse_decimal)


class DateFormField(forms.DateField):
    def parse_limits(self):
        return {}

    to_python = _form_field(parse_date)


class DateTimeFormField(forms.DateTimeField):
    def parse_limits(self):
        return {}

    to_python = _form_field(parse_datetime)


class ModelChoiceFormField(django_filters.fields.ModelChoiceField):
    """A row chosen by id: the id is read strictly before the database sees it."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            parse_int(value, min_value=1)
        except ValidationError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None
        return super().to_python(value)


# --- DRF fields, for request bodies --------------------------------------------------------------


def _drf_field(parse, limits=lambda field: {}):
    def to_internal_value(self, data):
        try:
            return parse(data, **limits(self))
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    return to_internal_value


class IntegerField(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    to_internal_value = _drf_field(parse_int, lambda field: {"max_value": None})


class BigIntegerField(serializers.BigIntegerField):
    to_internal_value = _drf_field(parse_int, lambda field: {"max_value": None})


class DecimalField(serializers.DecimalField):
    def to_internal_value(self, data):
        if isinstance(data, str | bool):
            try:
                data = str(parse_decimal(data))
            except ValidationError as error:
                raise serializers.ValidationError(error.messages) from None
        return super().to_internal_value(data)


class DateField(serializers.DateField):
    to_internal_value = _drf_field(parse_date)


class BoundedDateField(DateField):
    """A date of years 1900 to 2999, for ranges that do day arithmetic (near `date.min`/`date.max` it overflows)."""

    default_error_messages = {"out_of_range": _("Give a date between 1900-01-01 and 2999-12-31.")}

    def to_internal_value(self, data):
        day = super().to_internal_value(data)
        if not 1900 <= day.year <= 2999:
            self.fail("out_of_range")
        return day


class DateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value):
        try:
            moment = parse_datetime(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return self.enforce_timezone(moment)


class BooleanField(serializers.BooleanField):
    to_internal_value = _drf_field(parse_bool)


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    def to_internal_value(self, data):
        try:
            parse_int(data, min_value=1)
        except ValidationError:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


def use_strict_model_fields() -> None:
    """Make every ModelSerializer read numbers, dates, booleans and ids through the fields above.

    Called once from the project's AppConfig.ready(), so that serializers added later are strict too.
    """
    from django.db import models

    mapping = serializers.ModelSerializer.serializer_field_mapping
    for model_field, field in list(mapping.items()):
        if field is serializers.IntegerField:
            mapping[model_field] = IntegerField
    mapping.update(
        {
            models.BigAutoField: BigIntegerField,
            models.BigIntegerField: BigIntegerField,
            models.BooleanField: BooleanField,
            models.DateField: DateField,
            models.DateTimeField: DateTimeField,
            models.DecimalField: DecimalField,
        }
    )
    serializers.ModelSerializer.serializer_related_field = PrimaryKeyRelatedField
