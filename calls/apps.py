from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "calls"
    verbose_name = _("Calls")

    def ready(self):
        from calls.models import Call
        from calls.selectors import calls_visible
        from comments import registry
        from contacts.signals import phones_added

        registry.register(Call, visible_to=calls_visible)
        phones_added.connect(_link_calls, dispatch_uid="calls.link_calls")


def _link_calls(sender, *, contact, numbers, **kwargs):
    from calls.services import calls_link_numbers

    calls_link_numbers(contact=contact, numbers=numbers)
