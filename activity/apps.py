from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "activity"
    verbose_name = _("Activity")

    def ready(self):
        from activity.models import Activity
        from activity.selectors import activity_list
        from comments import registry

        registry.register(Activity, visible_to=activity_list)
