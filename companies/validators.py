from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def edrpou_check_digit(code: str) -> int:
    """The control digit an 8-digit Ukrainian EDRPOU code must end with."""
    digits = [int(d) for d in code[:7]]
    value = int(code)
    weights = [7, 1, 2, 3, 4, 5, 6] if 30_000_000 <= value <= 60_000_000 else [1, 2, 3, 4, 5, 6, 7]
    check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    if check >= 10:
        check = sum(d * (w + 2) for d, w in zip(digits, weights, strict=True)) % 11
        check = 0 if check >= 10 else check
    return check


def validate_edrpou(value: str) -> None:
    if not (len(value) == 8 and value.isascii() and value.isdigit()):
        raise ValidationError(_("An EDRPOU code is 8 digits."), code="edrpou_format")
    if edrpou_check_digit(value) != int(value[7]):
        raise ValidationError(_("This EDRPOU code's control digit is wrong."), code="edrpou_check")
