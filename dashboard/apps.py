from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self):
        from dashboard import employee_figures, selectors

        employee_figures.register(
            "deals",
            figures=selectors.deal_figures,
            defaults={"deals_won": 0, "deals_won_amount": 0, "deals_failed": 0, "deals_failed_amount": 0},
        )
        employee_figures.register("leads", figures=selectors.lead_figures, defaults={"leads_converted": 0})
        employee_figures.expect("calls", defaults={"calls": 0, "talk_seconds": 0})
        employee_figures.register(
            "tasks", figures=selectors.task_figures, defaults={"tasks_done": 0, "tasks_overdue": 0}
        )
        employee_figures.register(
            "work", figures=selectors.work_figures, defaults={"seconds_worked": 0, "hours_worked": 0}
        )
