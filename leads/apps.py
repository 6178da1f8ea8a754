from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "leads"
    verbose_name = _("Leads")

    def ready(self):
        from comments import registry
        from crm import search, trash
        from leads.models import Lead
        from leads.selectors import leads_restorable, leads_visible

        registry.register(Lead, visible_to=leads_visible)
        trash.register("lead", Lead, restorable=leads_restorable)
        search.register(
            "leads",
            Lead,
            visible_to=leads_visible,
            fields=["name", "email"],
            phone_field="phone",
            similar=["name"],
            url_name="leads:lead-detail",
        )
