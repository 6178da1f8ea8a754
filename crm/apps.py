from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "crm"
    verbose_name = _("CRM")

    def ready(self):
        from crm.api.parsing import use_strict_model_fields
        from crm.files import downloads

        use_strict_model_fields()
        downloads.autodiscover()


class CrmAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the CRM's site (crm.admin_site): its title, its order of sections, its System section."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin; CrmConfig stays crm's own
    default_site = "crm.admin_site.CrmAdminSite"
