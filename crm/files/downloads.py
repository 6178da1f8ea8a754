"""Stored files are downloaded only through one authenticated endpoint that applies their record's rule.

Each app declares its kinds of file in its own `files.py`, found at start-up:

    files.register("chat", MessageFile, visible_to=chat_files_visible, download_name=lambda row: row.name)

`visible_to(user=...)` returns the rows whose file `user` may download (normally the app's
selector); `allowed(user, row)` adds a check that a queryset cannot express. Serializers show
`DownloadURLField(kind)`, never the storage path. `GET /api/files/<kind>/<id>/` answers 404
for a row the caller may not see, as for one that does not exist. The bytes leave through
django-sendfile2: in production nginx serves them on `X-Accel-Redirect`, in development
Django streams them. Nothing under MEDIA_ROOT is served by path.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.http import Http404
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _
from django_sendfile import sendfile
from django_sendfile.utils import _get_sendfile
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.views import APIView

from crm.api.ids import MAX_ID


@dataclass(frozen=True)
class FileKind:
    kind: str
    model: type[models.Model]
    visible_to: Callable[..., models.QuerySet]
    field: str = "file"
    allowed: Callable[..., bool] | None = None
    download_name: Callable[[models.Model], str] | None = None
    inline: bool = False


_kinds: dict[str, FileKind] = {}
# The schema's enum of `kind`: the same list object, filled as apps register.
_kind_names: list[str] = []


def register(
    kind: str,
    model: type[models.Model],
    *,
    visible_to: Callable[..., models.QuerySet],
    field: str = "file",
    allowed: Callable[..., bool] | None = None,
    download_name: Callable[[models.Model], str] | None = None,
    inline: bool = False,
) -> None:
    """Serve `model.<field>` at `/api/files/<kind>/<id>/` to the users `visible_to` (and `allowed`) let through."""
    if kind in _kinds and _kinds[kind].model is not model:
        raise ValueError(f"The kind of file {kind!r} is registered already for {_kinds[kind].model.__name__}.")
    _kinds[kind] = FileKind(kind, model, visible_to, field, allowed, download_name, inline)
    if kind not in _kind_names:
        _kind_names.append(kind)


def kinds() -> dict[str, FileKind]:
    return dict(_kinds)


def autodiscover() -> None:
    autodiscover_modules("files")


def download_url(kind: str, pk, request=None) -> str:
    url = reverse("file-download", kwargs={"kind": kind, "pk": pk})
    return request.build_absolute_uri(url) if request is not None else url


def downloadable(user, kind: str, pk: int) -> tuple[FileKind, models.Model]:
    """The registered kind and the row whose file `user` may download; Http404 for anything else."""
    entry = _kinds.get(kind)
    if entry is None or not 0 < pk <= MAX_ID:
        raise Http404(_("No such file."))
    row = entry.visible_to(user=user).filter(pk=pk).first()
    if row is None or not getattr(row, entry.field) or (entry.allowed and not entry.allowed(user, row)):
        raise Http404(_("No such file."))
    return entry, row


@extend_schema_field({"type": "string", "format": "uri", "nullable": True, "readOnly": True})
class DownloadURLField(serializers.Field):
    """The URL that downloads a row's file through `/api/files/`, or null when the row has none."""

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        kwargs.update(source="*", read_only=True)
        kwargs.setdefault("help_text", _("Where the file is downloaded (with the same authentication as the API)."))
        super().__init__(**kwargs)

    def to_representation(self, instance):
        if not getattr(instance, _kinds[self.kind].field):
            return None
        return download_url(self.kind, instance.pk, self.context.get("request"))


# What a download may be: the types of the extensions uploads accept (crm.files.uploads), and anything else.
DOWNLOAD_MEDIA_TYPES = [
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/octet-stream",
]
_FILE_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, description=_("The file."))


class FileDownloadView(APIView):
    """Download one stored file: chat, task, return, comment, knowledge base file or user photo.

    The caller must be allowed to see the record the file belongs to; any other
    answer is 404, as for a file that does not exist.
    """

    @extend_schema(
        operation_id="files_download",
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=_kind_names, description=_("The kind of file.")),
            OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("The id of the record the file is on.")),
        ],
        responses={
            **{(200, media_type): _FILE_RESPONSE for media_type in DOWNLOAD_MEDIA_TYPES},
            404: OpenApiResponse(description=_("No such file, or not yours to see.")),
        },
    )
    def get(self, request, kind: str, pk: int):
        entry, row = downloadable(request.user, kind, pk)
        stored = getattr(row, entry.field)
        name = _download_name(entry, row, stored.name)
        response = sendfile(request, stored.path, attachment=not entry.inline, attachment_filename=name)
        # Only the authenticated caller's browser may keep a copy.
        patch_cache_control(response, private=True, no_cache=True)
        return response


def _download_name(entry: FileKind, row, stored_name: str) -> str:
    """The name the record gives the file, with the stored file's extension (the one its content was checked for)."""
    stored = PurePath(stored_name)
    name = (entry.download_name(row) if entry.download_name else "") or stored.name
    return name if PurePath(name).suffix.lower() == stored.suffix.lower() else name + stored.suffix


urlpatterns = [path("<slug:kind>/<int:pk>/", FileDownloadView.as_view(), name="file-download")]


@receiver(setting_changed)
def _forget_sendfile_backend(*, setting, **kwargs):
    # django-sendfile2 caches its backend for the life of the process.
    if setting == "SENDFILE_BACKEND":
        _get_sendfile.cache_clear()
