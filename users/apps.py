from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "users"
    verbose_name = _("Users")

    def ready(self):
        from comments import registry
        from crm import search
        from crm.api.permissions import plug_subordinates
        from crm.realtime.websocket import Accounts, plug_accounts
        from users import services
        from users.models import ApiToken, User
        from users.selectors import user_list, user_subordinates

        registry.not_commentable(ApiToken, reason="a credential, not a work record")
        plug_subordinates(user_subordinates)
        plug_accounts(
            Accounts(
                ticket_user=services.ws_ticket_consume,
                socket_opened=services.user_socket_opened,
                socket_closed=services.user_socket_closed,
                personal_stream=services.SOCKETS_STREAM,
            )
        )

        search.register(
            "users",
            User,
            visible_to=lambda user: user_list(viewer=user),
            fields=["last_name", "first_name", "email"],
            phone_field="work_phone",
            similar=["last_name", "first_name"],
            status_field="role",
            url_name="users:user-detail",
        )
