from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crm.admin import CrmModelAdmin, CrmTabularInline
from crm.files.admin import ProtectedFilesAdmin
from crm.trash.admin import TrashAdminMixin
from tasks.models import Project, Tag, Task, TaskShare


class TaskShareInline(CrmTabularInline):
    model = TaskShare
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]


@admin.register(Task)
class TaskAdmin(ProtectedFilesAdmin, TrashAdminMixin, CrmModelAdmin):
    list_display = ["name", "date", "priority", "project", "responsible_users", "finished", "created_by", "created_at"]
    list_filter = ["finished", "priority", "repeated", "remind", "date", "project", "tags"]
    search_fields = ["name", "description"]
    list_select_related = ["project", "created_by"]
    autocomplete_fields = ["related_task", "company", "contact", "responsible"]
    filter_horizontal = ["tags"]
    readonly_fields = ["reminded_at", "previous", "created_at", "updated_at"]
    date_hierarchy = "date"
    inlines = [TaskShareInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("responsible")

    @admin.display(description=_("responsible"))
    def responsible_users(self, task):
        return ", ".join(str(user) for user in task.responsible.all())


@admin.register(TaskShare)
class TaskShareAdmin(CrmModelAdmin):
    list_display = ["task", "user", "status", "created_at", "responded_at"]
    list_filter = ["status"]
    search_fields = ["task__name", "user__email", "user__last_name"]
    list_select_related = ["task", "user"]
    autocomplete_fields = ["task", "user"]


@admin.register(Tag)
class TagAdmin(CrmModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(Project)
class ProjectAdmin(CrmModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name", "description"]
