"""Command-line arguments read by the strict parsers of `crm.api.parsing`, for argparse's `type=`.

A value they refuse becomes argparse's own error: the usage and a line naming the option, exit
status 2 on the command line, a CommandError through `call_command`; never a traceback.
"""

import argparse
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from crm.api.parsing import MAX_YEAR, MIN_YEAR, parse_date, parse_datetime

YEARS = f"between the years {MIN_YEAR} and {MAX_YEAR}"


def day(value: str) -> date:
    """A date written YYYY-MM-DD."""
    try:
        return parse_date(value)
    except ValidationError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date YYYY-MM-DD {YEARS}") from None


def moment(value: str) -> datetime:
    """A date and time in ISO 8601, or a date YYYY-MM-DD meaning its midnight in the project's time zone."""
    try:
        return parse_datetime(value)
    except ValidationError:
        pass
    try:
        return timezone.make_aware(datetime.combine(parse_date(value), time.min))
    except ValidationError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date YYYY-MM-DD or a date and time in ISO 8601 {YEARS}"
        ) from None


def given(parse, value, option: str):
    """`value` read by `parse` if it is still text: call_command hands a keyword option over unread."""
    if not isinstance(value, str):
        return value
    try:
        return parse(value)
    except argparse.ArgumentTypeError as error:
        raise CommandError(f"{option}: {error}") from None
