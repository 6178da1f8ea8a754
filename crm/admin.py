"""What every app's admin shares: audit fields read-only and last, titles that name the model in the right case.

Use `CrmModelAdmin` (and `CrmTabularInline`) instead of Django's classes in an app's admin.py.
"""

from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR
from django.utils import translation
from django.utils.translation import gettext as _

AUDIT_PREFIXES = ("created_", "updated_", "deleted_")


def is_audit_field(name: str) -> bool:
    return name.startswith(AUDIT_PREFIXES)


class AuditFieldsMixin:
    """Who made, changed and trashed a row and when: shown, never edited, after the fields people work with."""

    def _audit_fields(self):
        return [field.name for field in self.model._meta.concrete_fields if is_audit_field(field.name)]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + [name for name in self._audit_fields() if name not in readonly]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        audit = sorted((name for name in fields if _is_audit(name)), key=_audit_order)
        return [name for name in fields if not _is_audit(name)] + audit


def _is_audit(name) -> bool:
    return isinstance(name, str) and is_audit_field(name)


def _audit_order(name: str) -> int:
    """Created, then updated, then deleted; `sorted` keeps the model's order within each."""
    return next(index for index, prefix in enumerate(AUDIT_PREFIXES) if name.startswith(prefix))


class CrmModelAdmin(AuditFieldsMixin, admin.ModelAdmin):
    """The project's ModelAdmin.

    `name_accusative` is the model's name as the object of a verb ("Change deal" is "Змінити угоду", not
    "Змінити угода"): declare it with `pgettext_lazy("accusative", "<verbose name>")` where a language needs it;
    the verbose name otherwise.
    """

    name_accusative = None

    def _accusative(self):
        if self.name_accusative is not None:
            name = str(self.name_accusative)
            with translation.override(None):
                untranslated = str(self.name_accusative)
            # A language with no accusative in the catalog reads better in its nominative than in English.
            if name != untranslated:
                return name
        return str(self.opts.verbose_name)

    def save_model(self, request, obj, form, change):
        fields = {field.name for field in self.opts.concrete_fields}
        if not change and "created_by" in fields and obj.created_by_id is None:
            obj.created_by = request.user
        if "updated_by" in fields:
            obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Django's own titles, "Add %s", "Change %s" and "View %s", with the name in the accusative.
        if add:
            title = _("Add %s")
        elif self.has_change_permission(request, obj):
            title = _("Change %s")
        else:
            title = _("View %s")
        context["title"] = title % self._accusative()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        if IS_POPUP_VAR in request.GET:
            title = _("Select %s")
        elif self.has_change_permission(request):
            title = _("Select %s to change")
        else:
            title = _("Select %s to view")
        name = self._accusative()
        # templates/admin/change_list_object_tools.html reads `add_title` for its "Add <name>" button.
        context = {"title": title % name, "add_title": _("Add %s") % name, **(extra_context or {})}
        return super().changelist_view(request, context)

    def delete_view(self, request, object_id, extra_context=None):
        # "Are you sure you want to delete the %(object_name)s ...?"
        context = {"object_name": self._accusative(), **(extra_context or {})}
        return super().delete_view(request, object_id, context)


class CrmTabularInline(AuditFieldsMixin, admin.TabularInline):
    pass
