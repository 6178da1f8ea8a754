"""Domain errors raised by services, and the one handler that turns every error into JSON."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


class DomainError(exceptions.APIException):
    """A request that is well-formed but breaks a business rule."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The request cannot be carried out.")
    default_code = "invalid"


class Conflict(DomainError):
    """The object is not in a state that allows this (accepting an invitation twice)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The object is not in a state that allows this.")
    default_code = "conflict"


class Gone(DomainError):
    """The object existed but can no longer be used (an expired invitation)."""

    status_code = status.HTTP_410_GONE
    default_detail = _("This is no longer available.")
    default_code = "gone"


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    return drf_exception_handler(exc, context)


def blocking_kinds(error: ProtectedError | RestrictedError) -> str:
    """What stops a delete, by kind ("deals and returns"), for the 409 that refuses it."""
    rows = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
    return get_text_list(sorted({str(row._meta.verbose_name_plural) for row in rows}), _("and"))


@contextmanager
def conflict_on_duplicate(message):
    """Turn a unique constraint the database enforces into a 409 with `message`; the block is rolled back."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise Conflict(message) from None
