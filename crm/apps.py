from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "crm"
    verbose_name = _("CRM")

    def ready(self):
        from crm import files
        from crm.parsing import use_strict_model_fields

        use_strict_model_fields()
        files.autodiscover()
