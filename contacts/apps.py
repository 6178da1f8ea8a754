from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contacts"
    verbose_name = _("Contacts")

    def ready(self):
        from calendars import registry as calendars
        from comments import registry
        from comments.selectors import comment_list
        from contacts import timeline
        from contacts.calendar import birthday_events
        from contacts.models import Contact, CustomerRequest, Return
        from contacts.selectors import (
            center_pending_returns,
            center_requests_by_reason,
            comments_on_contact,
            contact_activities_visible,
            contact_related_visible,
            contact_title,
            contacts_visible,
            requests_visible,
            return_list,
        )
        from crm import search, trash
        from users import center

        registry.register(Contact, visible_to=contacts_visible)
        trash.register("contact", Contact, restorable=trash.restorable_by_responsible, title=contact_title())
        registry.register(Return, visible_to=return_list)
        calendars.register("birthdays", events=birthday_events)
        registry.register(CustomerRequest, visible_to=requests_visible)

        search.register(
            "contacts",
            Contact,
            visible_to=contacts_visible,
            fields=["last_name", "first_name", "patronymic", "email", "edrpou"],
            phone_field="phones__number",
            similar=["last_name", "first_name", "patronymic"],
            status_field=None,
            url_name="contacts:contact-detail",
        )
        search.register(
            "requests",
            CustomerRequest,
            visible_to=requests_visible,
            fields=["reason", "description"],
            similar=["reason"],
            url_name="contacts:customer-request-detail",
        )
        timeline.register("events", visible_to=contact_related_visible("events"), at="occurred_at", title="type")
        timeline.register(
            "activities", visible_to=contact_activities_visible, at="occurred_at", title="name", status="type"
        )
        timeline.register(
            "letters", visible_to=contact_related_visible("letters"), at="sent_at", title="subject", status="direction"
        )
        timeline.register(
            "loyalty", visible_to=contact_related_visible("loyalty"), at="created_at", title="amount", status="kind"
        )
        timeline.register(
            "returns",
            visible_to=return_list,
            at="created_at",
            title="reason",
            status="status",
            url_name="contacts:return-detail",
        )
        timeline.register(
            "requests",
            visible_to=requests_visible,
            at="created_at",
            title="reason",
            status="status",
            url_name="contacts:customer-request-detail",
        )
        timeline.register(
            "comments",
            visible_to=comment_list,
            at="created_at",
            title="text",
            contact=comments_on_contact,
            url_name="comments:comment-detail",
        )
        center.register("pending_returns", center_pending_returns)
        center.register("requests_by_reason", center_requests_by_reason)
