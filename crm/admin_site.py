"""The admin site as CRM staff see it: titled as the CRM, sections in the order staff use them, plumbing apart.

`crm.apps.CrmAdminConfig` makes this the default site, so every `admin.register` lands here.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from crm.admin import AuditFieldsMixin

# Sections of the index, in the order staff reach for them; a section not named here follows, by name.
SECTIONS = [
    "contacts",
    "deals",
    "leads",
    "tasks",
    "calls",
    "chat",
    "companies",
    "comments",
    "calendars",
    "notifications",
    "activity",
    "timetracker",
    "promotions",
    "dashboard",
    "webhooks",
    "users",
    "auth",
]

# The models that open their section, in this order; the rest of a section follows by name.
LEADING_MODELS = [
    "contacts.Contact",
    "contacts.Phone",
    "contacts.CustomerRequest",
    "contacts.Return",
    "deals.Deal",
    "deals.Order",
    "deals.Product",
    "deals.Pipeline",
    "deals.Stage",
    "tasks.Task",
    "tasks.Project",
    "chat.Chat",
    "chat.Message",
    "companies.Company",
    "users.User",
    "users.Department",
]

# What the workers, the sockets and the login machinery keep for themselves: an ordinary admin never needs it.
# Listed under "System", last, and open to superusers only (their admins refuse everyone else).
SYSTEM_MODELS = [
    "token_blacklist.OutstandingToken",
    "token_blacklist.BlacklistedToken",
    "users.WebSocketTicket",
    "contacts.SendReceipt",
    "deals.SyncState",
    "dashboard.SyncCheckpoint",
    "calls.ListenerState",
]

SYSTEM_SECTION = "system"

# simplejwt's names for its token models and their columns, which it translates into no "uk": named here so that
# makemessages keeps their Ukrainian in the project's catalog, which Django reads for every app's strings.
THIRD_PARTY_NAMES = [
    gettext_noop("Token Blacklist"),
    gettext_noop("Outstanding Token"),
    gettext_noop("Outstanding Tokens"),
    gettext_noop("Blacklisted Token"),
    gettext_noop("Blacklisted Tokens"),
    gettext_noop("jti"),
    gettext_noop("token"),
    gettext_noop("blacklisted at"),
]


def is_system(model) -> bool:
    return model._meta.label in SYSTEM_MODELS


class SuperuserOnlyAdmin:
    """Mixed into the admin of every model of SYSTEM_MODELS when it is registered."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser and super().has_delete_permission(request, obj)


class CrmAdminSite(admin.AdminSite):
    site_header = _("CRM")
    site_title = _("CRM")
    index_title = _("Records and settings")

    def register(self, model_or_iterable, admin_class=None, **options):
        models = [model_or_iterable] if isinstance(model_or_iterable, type) else list(model_or_iterable)
        for model in models:
            super().register(model, _with_house_rules(model, admin_class or admin.ModelAdmin), **options)

    def get_app_list(self, request, app_label=None):
        apps = list(self._build_app_dict(request, app_label).values())
        for app in apps:
            app["models"].sort(key=_model_order)
        if app_label is not None:
            return apps
        system = [model for app in apps for model in app["models"] if is_system(model["model"])]
        for app in apps:
            app["models"] = [model for model in app["models"] if not is_system(model["model"])]
        apps = sorted((app for app in apps if app["models"]), key=_section_order)
        if system:
            system.sort(key=lambda model: SYSTEM_MODELS.index(model["model"]._meta.label))
            apps.append(
                {
                    "name": _("System"),
                    "app_label": SYSTEM_SECTION,
                    "app_url": reverse("admin:index", current_app=self.name) + f"#{SYSTEM_SECTION}",
                    "has_module_perms": True,
                    "models": system,
                }
            )
        return apps


def _with_house_rules(model, admin_class):
    """Third-party admins (simplejwt's, auth's) come as they are: the project's rules are added here, once."""
    mixins = []
    if is_system(model):
        mixins.append(SuperuserOnlyAdmin)
    if not issubclass(admin_class, AuditFieldsMixin):
        mixins.append(AuditFieldsMixin)
    if not mixins:
        return admin_class
    return type(admin_class.__name__, (*mixins, admin_class), {"__module__": admin_class.__module__})


def _section_order(app):
    label = app["app_label"]
    return (SECTIONS.index(label) if label in SECTIONS else len(SECTIONS), str(app["name"]).lower())


def _model_order(model):
    label = model["model"]._meta.label
    return (LEADING_MODELS.index(label) if label in LEADING_MODELS else len(LEADING_MODELS), str(model["name"]))
