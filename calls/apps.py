from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "calls"
    verbose_name = _("Calls")

    def ready(self):
        from calendars import registry as calendars
        from calls.models import Call
        from calls.selectors import call_events, call_figures, calls_visible, center_recent_calls
        from comments import registry
        from contacts import timeline
        from contacts.signals import phones_added
        from crm import search
        from dashboard import employee_figures
        from users import center

        registry.register(Call, visible_to=calls_visible)
        calendars.register("calls", events=call_events)
        employee_figures.register("calls", figures=call_figures, defaults={"calls": 0, "talk_seconds": 0})
        search.register(
            "calls",
            Call,
            visible_to=calls_visible,
            fields=["external_number"],
            phone_field="external_number",
            status_field="disposition",
            similar=[],
            url_name="calls:call-detail",
        )
        timeline.register(
            "calls",
            visible_to=calls_visible,
            at="started_at",
            title="external_number",
            status="type",
            url_name="calls:call-detail",
        )
        center.register("recent_calls", center_recent_calls)
        phones_added.connect(_link_calls, dispatch_uid="calls.link_calls")


def _link_calls(sender, *, contact, numbers, **kwargs):
    from calls.services import calls_link_numbers

    calls_link_numbers(contact=contact, numbers=numbers)
