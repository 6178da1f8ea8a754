"""The write rule of every worker and file import: a record is brought within the database's limits
before it is written, and a record the database still refuses is skipped with its reason while the
rest is written.

`fit(model, values)` checks a record's values against the model's columns: text loses its NUL
characters (PostgreSQL cannot store them, and they carry nothing), while text longer than its
column, an integer out of its column's range or a number with more digits than its column holds
raises `Unfit` naming the field. Nothing is cut: a cut id would merge two records into one.
A generated column may be named too, with the value the database will compute (an order line's
`total` from its quantity and price), so that a value which would overflow it is refused here.

`write_each(items, write, skip=...)` writes a batch in one savepoint; if anything refuses it
(a check constraint, a unique index, a value `fit` let through, whatever library raised it), each
item is written again in its own savepoint and `skip(item, reason)` is called for those refused.
A lost connection is not a bad record: it propagates, so the run stops and its checkpoint stays.
"""

from collections.abc import Callable, Iterable
from decimal import Context, Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.db import InterfaceError, OperationalError, connection, models, transaction


class Unfit(ValueError):
    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def without_nul(value):
    """`value` with NUL characters removed from every string in it, nested lists and dicts included."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(without_nul(item) for item in value)
    return value


def fit(model, values: dict) -> dict:
    """`values` (attribute names to values) made fit for `model`'s columns, or `Unfit`."""
    fitted = {}
    for name, value in values.items():
        field = _field(model, name)
        value = without_nul(value)
        if field is not None and value is not None:
            _check(
                getattr(field, "output_field", None) if isinstance(field, models.GeneratedField) else field, value, name
            )
        fitted[name] = value
    return fitted


def _field(model, name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return next((f for f in model._meta.concrete_fields if f.attname == name), None)


def _check(field, value, name: str) -> None:
    if isinstance(value, str) and field.max_length and len(value) > field.max_length:
        raise Unfit(name, f"{len(value)} characters, at most {field.max_length} fit")
    if isinstance(field, models.DecimalField) and not isinstance(value, bool):
        _check_decimal(field, value, name)
    elif isinstance(field, models.IntegerField) and isinstance(value, int) and not isinstance(value, bool):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        if (low is not None and value < low) or (high is not None and value > high):
            raise Unfit(name, f"{value} is out of range ({low} to {high})")


def _check_decimal(field, value, name: str) -> None:
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise Unfit(name, f"{value!r} is not a number") from None
    if not number.is_finite():
        raise Unfit(name, f"{value} is not a finite number")
    whole_digits = field.max_digits - field.decimal_places
    too_long = number and number.adjusted() + 1 > whole_digits
    if not too_long and number:
        rounded = number.quantize(Decimal(1).scaleb(-field.decimal_places), context=Context(prec=field.max_digits + 1))
        too_long = rounded and rounded.adjusted() + 1 > whole_digits  # 99.995 is 100.00
    if too_long:
        raise Unfit(name, f"{value} has more than {whole_digits} digits before the point")


def refusal(error: BaseException) -> str:
    """A one-line reason for a refused record."""
    text = str(error).strip().splitlines()
    return text[0] if text and text[0] else type(error).__name__


def write_each(items: Iterable, write: Callable[[list], object], *, skip: Callable[[object, str], None]) -> None:
    items = list(items)
    if len(items) > 1:
        try:
            with transaction.atomic():
                write(items)
            return
        except (OperationalError, InterfaceError):
            raise
        except Exception:  # noqa: S110 - whatever refused the batch, the items are tried one by one
            pass
    for item in items:
        try:
            with transaction.atomic():
                write([item])
        except (OperationalError, InterfaceError):
            raise
        except Exception as error:  # one refused record is skipped, never the run
            skip(item, refusal(error))
