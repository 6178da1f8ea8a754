from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "crm.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from activity.services import on_activity_recorded
        from comments.registry import not_commentable
        from crm.webhooks import outbox
        from crm.webhooks.models import Delivery, Endpoint

        on_activity_recorded(outbox.queue_for_activity)
        not_commentable(Endpoint, Delivery, reason="configuration and its log, not a record of the business")
