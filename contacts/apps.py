from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contacts"
    verbose_name = _("Contacts")

    def ready(self):
        from calendars import registry as calendars
        from comments import registry
        from contacts.calendar import birthday_events
        from contacts.models import Contact, Return
        from contacts.selectors import contact_title, contacts_visible, return_list
        from crm import trash

        registry.register(Contact, visible_to=contacts_visible)
        trash.register("contact", Contact, restorable=trash.restorable_by_responsible, title=contact_title())
        registry.register(Return, visible_to=return_list)
        calendars.register("birthdays", events=birthday_events)
