import math

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.cache import never_cache
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from crm.admin import CrmModelAdmin
from crm.api.throttling import throttle_check
from crm.files.admin import ProtectedFilesAdmin
from users.models import ApiToken, Department, Invitation, User, UserGroup, WebSocketTicket
from users.services import api_tokens_revoke, user_sessions_end


@admin.register(User)
class UserAdmin(ProtectedFilesAdmin, CrmModelAdmin, DjangoUserAdmin):
    name_accusative = pgettext_lazy("accusative", "user")
    ordering = ["last_name", "first_name", "email"]
    list_display = ["email", "last_name", "first_name", "role", "department", "is_active", "last_seen"]
    list_filter = ["role", "is_active", "is_staff", "department", "group"]
    search_fields = ["email", "first_name", "last_name", "patronymic", "chat_nickname", "work_phone"]
    list_select_related = ["department"]
    readonly_fields = ["last_login", "last_seen", "created_at", "updated_at"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "first_name",
                    "last_name",
                    "patronymic",
                    "photo",
                    "birth_date",
                    "personal_phone",
                    "work_phone",
                    "chat_nickname",
                )
            },
        ),
        (_("Company"), {"fields": ("role", "department", "group", "special_group", "internal_number")}),
        (_("Presence"), {"fields": ("status", "last_seen")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "role")}),)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            user_sessions_end(user=obj)  # as the API's deactivation does: tokens and open sockets end


@admin.register(Department)
class DepartmentAdmin(TreeAdmin):
    form = movenodeform_factory(Department)
    list_display = ["name", "head"]
    search_fields = ["name"]
    list_select_related = ["head"]
    autocomplete_fields = ["head"]


@admin.register(UserGroup)
class UserGroupAdmin(CrmModelAdmin):
    name_accusative = pgettext_lazy("accusative", "user group")
    search_fields = ["name"]


@admin.register(Invitation)
class InvitationAdmin(CrmModelAdmin):
    list_display = ["email", "role", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role", "department", "created_at"]
    search_fields = ["email", "first_name", "last_name"]
    list_select_related = ["invited_by"]
    readonly_fields = ["invited_by", "accepted_at", "revoked_at", "user", "expires_at"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        # Invitations are sent through the API, which emails the one-time link.
        return False


@admin.register(WebSocketTicket)
class WebSocketTicketAdmin(CrmModelAdmin):
    list_display = ["user", "expires_at"]
    list_filter = ["expires_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "expires_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(CrmModelAdmin):
    """Every user's personal API tokens, to see and revoke; never their secrets, which are not stored."""

    name_accusative = pgettext_lazy("accusative", "API token")
    list_display = ["name", "user", "prefix", "scope", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", "revoked_at", "expires_at", "last_used_at"]
    search_fields = ["name", "prefix", "user__email", "user__last_name"]
    list_select_related = ["user"]
    fields = ["user", "name", "prefix", "scope", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        # Tokens are made by their owners through the API, which shows the secret once.
        return False

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        count = api_tokens_revoke(tokens=queryset)
        self.message_user(request, _("%(count)d token(s) revoked.") % {"count": count}, messages.SUCCESS)


@never_cache
def throttled_admin_login(request, extra_context=None):
    """The admin's login, with the API login's allowance: each attempt counts against the client's `auth` rate.

    The owner and admins are staff, so this form guards the accounts that matter most; it shares the
    counter (and the client address rule, and the fallback while Redis is down) of `POST /api/auth/token/`.
    """
    if request.method == "POST":
        wait = throttle_check(request, "auth")
        if wait is not None:
            seconds = max(1, math.ceil(wait))
            context = {**admin.site.each_context(request), "title": _("Too many sign-in attempts"), "seconds": seconds}
            response = render(request, "admin/login_throttled.html", context, status=429)
            response["Retry-After"] = str(seconds)
            return response
    return admin.site.login(request, extra_context)
