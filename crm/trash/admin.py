"""Admin for trashable models: the live rows by default, the trash behind a filter, and restore as an action."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from activity.tracking import tracked_delete, tracked_restore


class TrashFilter(admin.SimpleListFilter):
    title = _("trash")
    parameter_name = "trash"

    def lookups(self, request, model_admin):
        return [("in", _("In the trash")), ("all", _("All"))]

    def choices(self, changelist):
        choices = list(super().choices(changelist))
        # Django names its unfiltered choice "All"; here it is the default, which leaves the trash out.
        choices[0]["display"] = _("Not in the trash")
        return choices

    def queryset(self, request, queryset):
        if self.value() == "in":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "all":
            return queryset
        return queryset.filter(deleted_at__isnull=True)


class TrashAdminMixin:
    """Deleting here moves to the trash too; what is in it can be seen and restored."""

    actions = ["restore_from_trash"]

    def get_list_filter(self, request):
        return [TrashFilter, *super().get_list_filter(request)]

    def get_queryset(self, request):
        queryset = self.model.all_objects.get_queryset()
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def delete_model(self, request, obj):
        tracked_delete(instance=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset.filter(deleted_at__isnull=True):
            tracked_delete(instance=obj, actor=request.user)

    @admin.action(description=_("Restore from the trash"))
    def restore_from_trash(self, request, queryset):
        restored = 0
        for obj in queryset.filter(deleted_at__isnull=False):
            tracked_restore(instance=obj, actor=request.user)
            restored += 1
        self.message_user(
            request,
            ngettext("%(n)d record restored.", "%(n)d records restored.", restored) % {"n": restored},
            messages.SUCCESS,
        )
