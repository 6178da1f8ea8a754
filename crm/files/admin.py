"""Admin's file inputs link to the protected download (`/api/files/<kind>/<id>/`), never to the storage path.

With `DEBUG=0` nothing under MEDIA_ROOT is served by its path, so Django's own "Currently: <link>"
would be a dead link. Admin users are signed in by session, which the download endpoint accepts.
"""

from django.contrib.admin.widgets import AdminFileWidget
from django.db import models

from crm.files.downloads import download_url, kinds


def download_url_of(file) -> str | None:
    """The download URL of a stored file (a model's FieldFile), or None when no registered kind holds it."""
    instance = getattr(file, "instance", None)
    if not file or instance is None or instance.pk is None:
        return None
    for entry in kinds().values():
        if isinstance(instance, entry.model) and entry.field == file.field.name:
            return download_url(entry.kind, instance.pk)
    return None


class _Linked:
    """What the widget's template reads of a file: its name, and `url`, here the protected download."""

    def __init__(self, file, url: str):
        self.file, self.url = file, url

    def __str__(self):
        return str(self.file)


class ProtectedFileWidget(AdminFileWidget):
    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        if widget.get("is_initial"):
            url = download_url_of(value)
            # A file of no registered kind is shown by name only: no link rather than a dead one.
            widget["value"] = _Linked(value, url or "")
        return context


class ProtectedFilesAdmin:
    """Mix into a ModelAdmin or inline whose model has a file or an image."""

    formfield_overrides = {
        models.FileField: {"widget": ProtectedFileWidget},
        models.ImageField: {"widget": ProtectedFileWidget},
    }
