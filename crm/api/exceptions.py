"""Domain errors raised by services, and the one handler that turns every error into JSON."""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
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


# Keys of the error body itself; a field of that name has its errors in `errors` only.
ERROR_BODY_KEYS = ("detail", "code", "errors")


def exception_handler(exc, context):
    """Every error answers one body: `{"detail": text, "code": stable code, "errors": field errors}`.

    `code` is DRF's code of the error (`invalid`, `not_authenticated`, `authentication_failed`,
    `permission_denied`, `not_found`, `method_not_allowed`, `unsupported_media_type`, `throttled`,
    `conflict`, `gone`, ...). A 400 for input also has `errors`, field name to messages (or, for a
    nested object, to its own field errors); `detail` then repeats the first message. The field
    errors are also at the top level (`{"phones": [...]}`), as DRF writes them.
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = error_body(exc, response.data)
    return response


def error_body(exc: exceptions.APIException, data) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {api_settings.NON_FIELD_ERRORS_KEY: data}
        body = {name: messages for name, messages in errors.items() if name not in ERROR_BODY_KEYS}
        return {
            **body,
            "detail": _first_message(errors) or exc.default_detail,
            "code": exc.default_code,
            "errors": errors,
        }
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    if isinstance(data, dict):  # simplejwt's token errors carry their own detail, code and messages
        return {**data, "detail": data.get("detail") or exc.default_detail, "code": data.get("code") or code}
    return {"detail": data[0] if isinstance(data, list) and data else exc.default_detail, "code": code}


def _first_message(errors, field: str = "") -> str:
    """The first message of a nest of field errors, after the name of its field."""
    if isinstance(errors, dict):
        for name, nested in errors.items():
            inner = name if name != api_settings.NON_FIELD_ERRORS_KEY else ""
            message = _first_message(nested, f"{field}.{inner}" if field and inner else field or inner)
            if message:
                return message
        return ""
    if isinstance(errors, list):
        for item in errors:
            message = _first_message(item, field)
            if message:
                return message
        return ""
    return f"{field}: {errors}" if field else str(errors)


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
