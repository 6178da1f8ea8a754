from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimetrackerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "timetracker"
    verbose_name = _("Time tracker")

    def ready(self):
        from calendars import registry as calendars
        from timetracker.calendar import work_events

        calendars.register("work", events=work_events)
