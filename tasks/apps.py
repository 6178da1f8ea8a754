from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks"
    verbose_name = _("Tasks")

    def ready(self):
        from calendars import registry as calendars
        from comments import registry
        from crm import trash
        from tasks.calendar import task_events
        from tasks.models import Task
        from tasks.selectors import tasks_restorable, tasks_visible

        registry.register(Task, visible_to=tasks_visible)
        trash.register("task", Task, restorable=tasks_restorable)
        calendars.register("tasks", events=task_events)
