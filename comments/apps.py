from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"
    verbose_name = _("Comments")

    def ready(self):
        from django.apps import apps

        from comments import registry

        # Models with a detail endpoint that take no comments. An app added later declares its own
        # in its AppConfig.ready(); the suite fails on a model that is neither registered nor here.
        reasons = {
            "the people and the structure, not work records": [
                "users.User",
                "users.Department",
                "users.UserGroup",
                "users.Invitation",
            ],
            "a conversation is its own discussion": ["chat.Chat", "chat.Message"],
            "a comment is answered by another comment on its target": ["comments.Comment"],
            "the knowledge base is discussed on its articles": ["companies.Folder", "companies.KnowledgeFile"],
            "personal, seen by one user": ["notifications.Notification", "notifications.NotificationPreference"],
            "labels that group tasks": ["tasks.Project", "tasks.Tag"],
            "time records made by the work timer": ["timetracker.WorkPeriod"],
        }
        for reason, labels in reasons.items():
            registry.not_commentable(*(apps.get_model(label) for label in labels), reason=reason)
