from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks"
    verbose_name = _("Tasks")

    def ready(self):
        from django.db.models import Case, Value, When

        from calendars import registry as calendars
        from comments import registry
        from contacts import timeline
        from crm import search, trash
        from tasks.calendar import task_events
        from tasks.models import Task
        from tasks.selectors import center_this_week, tasks_restorable, tasks_visible
        from users import center

        registry.register(Task, visible_to=tasks_visible)

        search.register(
            "tasks",
            Task,
            visible_to=tasks_visible,
            fields=["name", "description"],
            similar=["name"],
            status_field=lambda task: _("Finished") if task.finished else _("Open"),
            url_name="tasks:task-detail",
        )
        timeline.register(
            "tasks",
            visible_to=tasks_visible,
            at="created_at",
            title="name",
            status=Case(When(finished=True, then=Value("finished")), default=Value("open")),
            url_name="tasks:task-detail",
        )
        center.register("tasks_this_week", center_this_week)
        trash.register("task", Task, restorable=tasks_restorable)
        calendars.register("tasks", events=task_events)
