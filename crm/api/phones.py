"""Phone numbers are stored in E.164 (+380501234567), whatever spelling came in."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "UA"


def normalize_phone(raw: str) -> str:
    """Return `raw` in E.164, or raise ValidationError. Ukrainian numbers may omit the country code."""
    text = (raw or "").strip()
    if text and text[0].isdigit() and text.startswith("380"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
