from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimetrackerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "timetracker"
    verbose_name = _("Time tracker")
