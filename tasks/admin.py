from django.contrib import admin

from crm.files_admin import ProtectedFilesAdmin
from crm.trash_admin import TrashAdminMixin
from tasks.models import Project, Tag, Task, TaskShare


class TaskShareInline(admin.TabularInline):
    model = TaskShare
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]


@admin.register(Task)
class TaskAdmin(ProtectedFilesAdmin, TrashAdminMixin, admin.ModelAdmin):
    list_display = ["name", "date", "priority", "project", "finished", "created_by", "created_at"]
    list_filter = ["finished", "priority", "repeated", "remind", "date", "project", "tags"]
    search_fields = ["name", "description"]
    list_select_related = ["project", "created_by"]
    raw_id_fields = ["created_by", "updated_by", "related_task", "company", "contact"]
    filter_horizontal = ["responsible", "tags"]
    readonly_fields = ["reminded_at", "previous", "created_at", "updated_at"]
    date_hierarchy = "date"
    inlines = [TaskShareInline]


@admin.register(TaskShare)
class TaskShareAdmin(admin.ModelAdmin):
    list_display = ["task", "user", "status", "created_at", "responded_at"]
    list_filter = ["status"]
    search_fields = ["task__name", "user__email", "user__last_name"]
    list_select_related = ["task", "user"]
    raw_id_fields = ["task", "user"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name", "description"]
