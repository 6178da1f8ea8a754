"""The project's OpenAPI schema: a summary for every operation, and the errors each one can answer.

Summaries are translatable, so `/api/schema/?lang=uk` (or `Accept-Language: uk`) is Ukrainian.
The standard actions of a viewset are named after its model ("Contacts: list"); other
actions have their summary below or in their own `@extend_schema(summary=...)`.

Every error answers the one body of `crm.api.exceptions.exception_handler`; `get_operation`
declares it for the statuses an operation can give: 401 when it needs a login, 403 when a
permission or a role can refuse, 404 with an id in its path, 400 with a body or query
parameters, 409 for every write (a state conflict, a duplicate, a row still in use), 429
when a throttle applies, and on every operation a personal API token may call (each token has a rate
of its own, counted when the token is authenticated).
"""

from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiFilterExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework_simplejwt.views import TokenViewBase

from crm.api.filters import ordering_fields, ordering_help

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# The security scheme of personal API tokens (users.authentication.ApiTokenScheme).
TOKEN_SCHEME = "tokenAuth"

ERROR_SCHEMA = {
    "type": "object",
    "description": _(
        "The body of every error. `code` is stable and meant for programs; `detail` is a "
        "message for people, in the language of the request."
    ),
    "properties": {
        "detail": {"type": "string", "description": _("What went wrong, for people.")},
        "code": {
            "type": "string",
            "description": _(
                "What went wrong, for programs: invalid, parse_error, not_authenticated, "
                "authentication_failed, token_not_valid, permission_denied, not_found, "
                "method_not_allowed, unsupported_media_type, conflict, gone, request_too_large, throttled."
            ),
        },
        "errors": {
            "type": "object",
            "additionalProperties": {},
            "description": _(
                "With `invalid`: each field or query parameter that was refused, with its messages "
                "(a nested object has its own field errors). `non_field_errors` holds the rest."
            ),
        },
    },
    "required": ["detail", "code"],
    # DRF also writes the field errors at the top level (`{"phones": [...]}`).
    "additionalProperties": {},
}

ERROR_DESCRIPTIONS = {
    "400": _("The input was refused: `errors` names each field or parameter with its messages."),
    "401": _("No login, or the token is invalid or expired."),
    "403": _("Logged in, but not allowed to do this."),
    "404": _("No such object, or not one you may see."),
    "409": _("The object is not in a state that allows this, or the change would duplicate or orphan a record."),
    "429": _("Too many requests; retry after the seconds in the Retry-After header."),
}

# The standard actions of a viewset, and the custom actions that several viewsets share.
ACTION_SUMMARIES = {
    "list": _("%(things)s: list"),
    "create": _("%(things)s: create"),
    "retrieve": _("%(things)s: read"),
    "update": _("%(things)s: replace"),
    "partial_update": _("%(things)s: change"),
    "destroy": _("%(things)s: delete"),
    "export": _("%(things)s: export to a spreadsheet"),
    "import_file": _("%(things)s: import from a spreadsheet"),
    "import_template": _("%(things)s: the spreadsheet template for an import"),
    "merge": _("%(things)s: merge a duplicate into this one"),
    "duplicates": _("%(things)s: likely duplicates"),
    "send_email": _("%(things)s: send an email"),
    "send_sms": _("%(things)s: send an SMS"),
    "file": _("%(things)s: attach a file"),
    "reject": _("%(things)s: reject"),
    "reopen": _("%(things)s: reopen"),
    "fail": _("%(things)s: mark as failed"),
}


class AutoSchema(openapi.AutoSchema):
    def get_summary(self):
        summary = explicit_summary(self.get_operation_id())
        if summary is None:
            template = ACTION_SUMMARIES.get(getattr(self.view, "action", None))
            model = self._model()
            if template is not None and model is not None:
                summary = template % {"things": capfirst(model._meta.verbose_name_plural)}
        return summary

    def get_description(self):
        return super().get_description() or explicit_description(self.get_operation_id()) or ""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            self._declare_errors(operation)
        return operation

    def _model(self):
        model = getattr(self.view, "model", None)
        if model is None:
            queryset = getattr(self.view, "queryset", None)
            model = getattr(queryset, "model", None)
        return model

    def _error_statuses(self, operation) -> set[str]:
        security = operation.get("security") or []
        needs_login = bool(security) and {} not in security
        unsafe = self.method in UNSAFE_METHODS
        statuses = set()
        if needs_login or isinstance(self.view, TokenViewBase):
            statuses.add("401")
        refusing = [p for p in self.view.get_permissions() if type(p) not in (AllowAny, IsAuthenticated)]
        if needs_login and (unsafe or refusing):
            statuses.add("403")
        if "{" in self.path:
            statuses.add("404")
        if "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", [])):
            statuses.add("400")
        if unsafe and needs_login:
            statuses.add("409")
        if self.view.get_throttles() or any(TOKEN_SCHEME in scheme for scheme in security):
            statuses.add("429")
        return statuses

    def _declare_errors(self, operation) -> None:
        component = ResolvedComponent(name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA)
        self.registry.register_on_missing(component)
        content = {"application/json": {"schema": component.ref}}
        responses = operation["responses"]
        for status in self._error_statuses(operation):
            responses.setdefault(status, {"description": ERROR_DESCRIPTIONS[status]})
        for status, response in responses.items():
            if status[0] in "45" and not response.get("content"):
                response["content"] = content
        operation["responses"] = dict(sorted(responses.items()))


class OrderingFilterExtension(OpenApiFilterExtension):
    """`?ordering=` as what it is: one or more of the list's sortable fields, each maybe after a "-"."""

    target_class = "rest_framework.filters.OrderingFilter"
    match_subclasses = True

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        view = auto_schema.view
        fields = ordering_fields(view.get_queryset(), view, view.request)
        if not fields:
            return []
        terms = [term for field in fields for term in (field, f"-{field}")]
        return [
            {
                "name": self.target.ordering_param,
                "in": "query",
                "required": False,
                "description": ordering_help(fields),
                "schema": {"type": "array", "items": {"type": "string", "enum": terms}},
                "style": "form",
                "explode": False,
            }
        ]


# Operations that are not a model's standard or shared action, by operation id.
SUMMARIES = {
    "auth_token_create": _("Log in: email and password for an access and a refresh token"),
    "auth_token_refresh_create": _("Refresh the access token (the refresh token rotates)"),
    "auth_logout_create": _("Log out: revoke a refresh token"),
    "auth_ws_ticket_create": _("A one-use ticket to open a WebSocket"),
    "calendars_retrieve": _("Calendar: my tasks, events and birthdays"),
    "calendars_feed_token_create": _("Calendar: make a new feed link"),
    "calendars_feed_token_destroy": _("Calendar: revoke the feed link"),
    "calendars_feed.ics_retrieve": _("Calendar: the iCalendar feed"),
    "calls_recording_retrieve": _("Calls: listen to the recording"),
    "calls_binotel_webhook_create": _("Calls: Binotel's webhook"),
    "chat_chats_admins_create": _("Chats: make a member an admin"),
    "chat_chats_admins_destroy": _("Chats: take a member's admin rights"),
    "chat_chats_invites_list": _("Chats: invitation links"),
    "chat_chats_invites_create": _("Chats: make an invitation link"),
    "chat_chats_invites_destroy": _("Chats: revoke an invitation link"),
    "chat_chats_leave_create": _("Chats: leave"),
    "chat_chats_members_create": _("Chats: add members"),
    "chat_chats_members_destroy": _("Chats: remove a member"),
    "chat_chats_direct_create": _("Chats: open a direct chat with a colleague"),
    "chat_chats_join_create": _("Chats: join by an invitation link"),
    "contacts_loyalty_balance_retrieve": _("Loyalty: a contact's balance"),
    "contacts_requests_start_create": _("Requests: start working on one"),
    "contacts_requests_resolve_create": _("Requests: resolve"),
    "contacts_returns_approve_create": _("Returns: approve"),
    "contacts_returns_cancel_create": _("Returns: cancel"),
    "dashboard_metrics_retrieve": _("Analytics: the shop's monthly figures"),
    "deals_move_create": _("Deals: move to another stage"),
    "deals_win_create": _("Deals: mark as won"),
    "deals_panel_retrieve": _("Deals: the deal panel"),
    "deals_kanban_retrieve": _("Deals: the kanban of a pipeline"),
    "deals_orders_send_create": _("Orders: send to the shop"),
    "deals_shop_webhook_create": _("Orders: the shop's webhook"),
    "files_download": _("Files: download an attached file"),
    "leads_convert_create": _("Leads: convert into a deal"),
    "leads_funnel_list": _("Leads: the funnel"),
    "notifications_seen_create": _("Notifications: mark one as seen"),
    "notifications_seen_all_create": _("Notifications: mark all as seen"),
    "notifications_unread_count_retrieve": _("Notifications: how many are unseen"),
    "promotions_promo_codes_usage_retrieve": _("Promo codes: how often one was used"),
    "promotions_promotions_report_retrieve": _("Promotions: the report"),
    "search_list": _("Search everything"),
    "tasks_accept_create": _("Tasks: accept a shared task"),
    "tasks_decline_create": _("Tasks: decline a shared task"),
    "tasks_finish_create": _("Tasks: finish"),
    "timetracker_periods_report_list": _("Time tracker: hours per day"),
    "timetracker_timer_start_create": _("Time tracker: start the timer"),
    "timetracker_timer_pause_create": _("Time tracker: pause the timer"),
    "timetracker_timer_resume_create": _("Time tracker: resume the timer"),
    "timetracker_timer_stop_create": _("Time tracker: stop the timer"),
    "timetracker_timer_state_retrieve": _("Time tracker: the timer now"),
    "trash_retrieve": _("Trash: deleted records"),
    "trash_restore_create": _("Trash: restore a record"),
    "users_activate_create": _("Employees: activate"),
    "users_deactivate_create": _("Employees: deactivate"),
    "users_invitations_resend_create": _("Invitations: send again"),
    "users_invitations_revoke_create": _("Invitations: revoke"),
    "users_invitations_questionnaire": _("Invitations: what the link asks for"),
    "users_invitations_accept": _("Invitations: accept and create the account"),
    "users_me_retrieve": _("Me: my profile"),
    "users_me_partial_update": _("Me: change my profile"),
    "users_me_center_retrieve": _("Me: my communication centre"),
    "users_me_status_partial_update": _("Me: set my status"),
    "users_structure_list": _("Company structure: the department tree"),
}

# Descriptions of operations whose view (outside this module's reach) has no docstring.
_GROUPS = _(
    "Named groups of employees (each employee belongs to at most one); "
    "everyone reads them, the owner and admins edit them."
)
DESCRIPTIONS = {
    "auth_ws_ticket_create": _(
        "A browser cannot send an Authorization header when it opens a WebSocket, and a JWT in a URL ends "
        "up in logs. So the page asks for a ticket here and connects within %(seconds)s seconds with "
        "`?ticket=<ticket>`; a ticket works once. A refused socket is closed with 4401 (no or bad ticket), "
        "4403 (not allowed), 4404 (no such object) or 4429 (too far behind)."
    ),
    "users_groups_list": _GROUPS,
    "users_groups_create": _GROUPS,
    "users_groups_retrieve": _GROUPS,
    "users_groups_update": _GROUPS,
    "users_groups_partial_update": _GROUPS,
    "users_groups_destroy": _GROUPS,
    "users_me_retrieve": _("The logged-in user's own card: name, contacts, role, department, status, photo."),
    "users_me_partial_update": _(
        "Change my own card: names, birth date, phones, chat nickname and photo (a photo comes as "
        "multipart/form-data). The role, department and email are changed by the owner and admins."
    ),
    "users_me_status_partial_update": _(
        "Set my status by hand (do not disturb, working, away), or empty for automatic (online, away, "
        "offline by activity); it holds until changed and colleagues see it at once."
    ),
}


def explicit_summary(operation_id: str):
    summary = SUMMARIES.get(operation_id)
    return str(summary) if summary is not None else None


def explicit_description(operation_id: str):
    description = DESCRIPTIONS.get(operation_id)
    if description is None:
        return None
    return str(description) % {"seconds": int(settings.WS_TICKET_TTL.total_seconds())}
