"""The one validator for every uploaded file, and server-generated file names."""

import uuid
import zipfile
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# What the content of each allowed extension may be sniffed as.
SNIFFED_KINDS = {
    "jpg": {"jpg"},
    "jpeg": {"jpg"},
    "png": {"png"},
    "pdf": {"pdf"},
    "doc": {"doc"},
    "xls": {"xls"},
    "docx": {"docx"},
    "xlsx": {"xlsx"},
}
SNIFF_BYTES = 8192


def _extension(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


def validate_upload(file) -> None:
    """Refuse a file whose extension is not allowed, that is too large, or whose content is not what its name says."""
    extension = _extension(file.name)
    if extension not in settings.UPLOAD_ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("Files of this type are not accepted. Allowed: %(allowed)s."),
            code="extension",
            params={"allowed": ", ".join(settings.UPLOAD_ALLOWED_EXTENSIONS)},
        )
    if file.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("The file is too large: at most %(limit)s."),
            code="size",
            params={"limit": filesizeformat(settings.UPLOAD_MAX_BYTES)},
        )
    if _sniff(file) not in SNIFFED_KINDS.get(extension, set()):
        raise ValidationError(_("The file's content does not match its extension."), code="content")


def _sniff(file) -> str | None:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(position)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ("zip", "docx", "xlsx"):
        return kind.extension if kind else None
    # Office Open XML files are zip archives; tell them apart by the parts inside.
    return _sniff_office_zip(file)


def _sniff_office_zip(file) -> str | None:
    position = file.tell()
    file.seek(0)
    try:
        names = set(zipfile.ZipFile(file).namelist())
    except zipfile.BadZipFile:
        return None
    finally:
        file.seek(position)
    if "[Content_Types].xml" not in names:
        return None
    if any(name.startswith("word/") for name in names):
        return "docx"
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    return None


@deconstructible
class UploadTo:
    """Stores uploads under `<prefix>/<year>/<month>/<random>.<ext>`: the client never chooses the name."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        now = timezone.now()
        return f"{self.prefix}/{now:%Y/%m}/{uuid.uuid4().hex}.{_extension(filename)}"

    def __eq__(self, other):
        return isinstance(other, UploadTo) and other.prefix == self.prefix
