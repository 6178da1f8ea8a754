from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompaniesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "companies"
    verbose_name = _("Companies")

    def ready(self):
        from comments import registry
        from companies.models import Article, Company
        from companies.selectors import article_list, company_list
        from crm import trash

        registry.register(Company, visible_to=company_list)
        trash.register("company", Company, restorable=trash.restorable_by_responsible)
        registry.register(Article, visible_to=article_list)
        from crm import search

        search.register(
            "companies",
            Company,
            visible_to=company_list,
            fields=["name", "edrpou"],
            similar=["name"],
            status_field=None,
            url_name="companies:company-detail",
        )
