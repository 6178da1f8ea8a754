import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from rest_framework.exceptions import NotFound
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from activity.services import activity_record
from crm.api.exceptions import Conflict, DomainError, Gone, conflict_on_duplicate
from crm.api.phones import normalize_phone
from crm.realtime.broadcast import broadcast, user_group
from notifications.services import notify
from users.models import ApiToken, ApiTokenScope, Department, Invitation, Role, Status, User, WebSocketTicket
from users.tokens import API_TOKEN_PREFIX, hash_token, new_token

logger = logging.getLogger(__name__)

PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "patronymic",
    "birth_date",
    "personal_phone",
    "work_phone",
    "role",
    "group",
    "department",
)
# What the invitee may fill in or correct in the questionnaire; role, group and department stay as invited.
QUESTIONNAIRE_FIELDS = (
    "first_name",
    "last_name",
    "patronymic",
    "birth_date",
    "personal_phone",
    "work_phone",
    "chat_nickname",
)
PHONE_FIELDS = ("personal_phone", "work_phone")


def _normalize_phones(fields: dict) -> dict:
    for name in PHONE_FIELDS:
        if fields.get(name):
            try:
                fields[name] = normalize_phone(fields[name])
            except ValidationError as error:
                raise ValidationError({name: error.messages}) from None
    return fields


def _validate_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None


def _check_may_grant_role(*, actor: User, role: str | None) -> None:
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise DomainError(_("Only the owner can make someone an owner."))


# Users


def user_update(*, user: User, actor: User, data: dict) -> User:
    """Change a profile. Role, group, department and staff flags are the owner's and admins' to change."""
    data = _normalize_phones(dict(data))
    _check_may_grant_role(actor=actor, role=data.get("role"))
    if user.role == Role.OWNER and actor.role != Role.OWNER and actor.pk != user.pk:
        raise DomainError(_("Only the owner can edit the owner's profile."))
    if user.pk == actor.pk and data.get("role", user.role) != user.role:
        raise DomainError(_("You cannot change your own role."))
    changed = [name for name, value in data.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, data[name])
    if changed:
        with conflict_on_duplicate(_("This chat nickname is taken.")):
            user.save(update_fields=[*changed, "updated_at"])
        activity_record(actor=actor, verb="updated", target=user, changed_fields=changed)
    return user


PRESENCE_GROUP = "presence"
# The group of all of a user's sockets, whatever their stream.
SOCKETS_STREAM = "sockets"


def _presence_push(user: User) -> None:
    """Tell every colleague's presence socket how `user` shows now (all staff see each other)."""
    payload = {
        "user": user.pk,
        "presence": user.presence,
        "status": user.status,
        "last_seen": user.last_seen.isoformat() if user.last_seen else None,
    }
    broadcast(PRESENCE_GROUP, "presence.changed", payload)
    transaction.on_commit(lambda: _remember_shown(user, payload["presence"]))


def _remember_shown(user: User, presence: str) -> None:
    try:
        cache.set(_shown_key(user), presence, timeout=None)
    except Exception:  # the shared cache is down: the push could not leave either, and the next sweep repeats it
        logger.warning("Could not remember the presence shown for user %s", user.pk, exc_info=True)


def _shown_key(user: User) -> str:
    """The presence colleagues were last told for `user`."""
    return f"presence:shown:{user.pk}"


def user_set_status(*, user: User, status: str) -> User:
    if status not in Status.values:
        raise DomainError(_("Unknown status."))
    if user.status != status:
        user.status = status
        user.save(update_fields=["status", "updated_at"])
        _presence_push(user)
    return user


def _sockets_key(user: User) -> str:
    return f"presence:sockets:{user.pk}"


# A counter that a crashed server process never decremented must not keep someone "connected" forever.
SOCKETS_COUNTER_TTL = 24 * 60 * 60


def user_socket_opened(*, user: User) -> None:
    """Count the user's open sockets across processes (in the shared cache); the first one makes them online."""
    key = _sockets_key(user)
    cache.add(key, 0, timeout=SOCKETS_COUNTER_TTL)
    if cache.incr(key) != 1:
        return
    before = user.presence
    user.last_seen = timezone.now()
    User.objects.filter(pk=user.pk).update(last_seen=user.last_seen)
    if user.presence != before:
        _presence_push(user)


def user_socket_closed(*, user: User) -> None:
    """When the last socket closes the user turns away now, and offline PRESENCE_OFFLINE_AFTER minutes later.

    last_seen is moved back by PRESENCE_ONLINE_SECONDS so that the presence the
    REST API derives from it says the same as the event pushed here.
    """
    key = _sockets_key(user)
    try:
        left = cache.decr(key)
    except ValueError:
        left = 0
    if left > 0:
        return
    cache.delete(key)
    user.last_seen = timezone.now() - timezone.timedelta(seconds=settings.PRESENCE_ONLINE_SECONDS)
    User.objects.filter(pk=user.pk).update(last_seen=user.last_seen)
    _presence_push(user)


def user_touch_last_seen(*, user: User) -> None:
    """Record that `user` is here, writing at most once per LAST_SEEN_WRITE_INTERVAL."""
    now = timezone.now()
    threshold = now - settings.LAST_SEEN_WRITE_INTERVAL
    if user.last_seen is not None and user.last_seen > threshold:
        return
    User.objects.filter(pk=user.pk).exclude(last_seen__gt=threshold).update(last_seen=now)
    user.last_seen = now


def presence_sweep(*, now=None) -> int:
    """Push every presence that changed with no event: online to away, away to offline; returns how many.

    Time alone turns a user away and then offline, so no socket or request announces it;
    cron runs this every minute (`manage.py update_presence`). A user with a socket open in
    any server process is here: their last_seen is refreshed, so they keep showing online.
    What colleagues were last told is remembered in the shared cache, so each change is
    pushed once whichever process noticed it.
    """
    now = now or timezone.now()
    users = list(User.objects.filter(is_active=True).only("pk", "status", "last_seen").order_by("pk"))
    sockets = cache.get_many([_sockets_key(user) for user in users])
    stale = now - settings.LAST_SEEN_WRITE_INTERVAL
    here = [
        user
        for user in users
        if (sockets.get(_sockets_key(user)) or 0) > 0 and (user.last_seen is None or user.last_seen < stale)
    ]
    if here:
        User.objects.filter(pk__in=[user.pk for user in here]).update(last_seen=now)
        for user in here:
            user.last_seen = now
    shown = cache.get_many([_shown_key(user) for user in users])
    changed = [user for user in users if shown.get(_shown_key(user)) != user.presence]
    for user in changed:
        _presence_push(user)
    return len(changed)


def _blacklist_refresh_tokens(user: User) -> None:
    outstanding = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now())
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )


@transaction.atomic
def user_deactivate(*, user: User, actor: User) -> User:
    if user.pk == actor.pk:
        raise DomainError(_("You cannot deactivate yourself."))
    if user.role == Role.OWNER and actor.role != Role.OWNER:
        raise DomainError(_("Only the owner can deactivate an owner."))
    if not user.is_active:
        raise Conflict(_("This user is already deactivated."))
    user.is_active = False
    user.save(update_fields=["is_active", "updated_at"])
    user_sessions_end(user=user)
    activity_record(actor=actor, verb="deactivated", target=user, changed_fields=["is_active"])
    return user


def user_sessions_end(*, user: User) -> None:
    """A deactivated account's refresh tokens, API tokens, tickets and open sockets end; they would outlive it."""
    WebSocketTicket.objects.filter(user=user).delete()
    _blacklist_refresh_tokens(user)
    _api_tokens_revoke_all(user)
    broadcast(user_group(SOCKETS_STREAM, user.pk), "user.deactivated", {"user": user.pk})


@transaction.atomic
def user_password_changed(*, user: User) -> None:
    """A new password ends what the old one opened: refresh tokens, API tokens, WebSocket tickets and open sockets.

    Called by `User.save` whenever a password is saved. Access tokens and other browsers' sessions
    already stop working by themselves (the token carries a hash of the password, the session too).
    """
    WebSocketTicket.objects.filter(user=user).delete()
    _blacklist_refresh_tokens(user)
    _api_tokens_revoke_all(user)
    broadcast(user_group(SOCKETS_STREAM, user.pk), "user.password_changed", {"user": user.pk})


@transaction.atomic
def user_activate(*, user: User, actor: User) -> User:
    if user.is_active:
        raise Conflict(_("This user is already active."))
    user.is_active = True
    user.save(update_fields=["is_active", "updated_at"])
    activity_record(actor=actor, verb="activated", target=user, changed_fields=["is_active"])
    return user


def owner_create(*, email: str, password: str, first_name: str = "", last_name: str = "") -> User:
    email = User.objects.normalize_email(email)
    if User.objects.filter(role=Role.OWNER).exists():
        raise Conflict(_("This CRM has an owner already; the owner invites everybody else."))
    if User.objects.filter(email=email).exists():
        raise Conflict(_("An account with this email already exists."))
    _validate_password(password, User(email=email, first_name=first_name, last_name=last_name))
    return User.objects.create_user(
        email,
        password,
        first_name=first_name,
        last_name=last_name,
        role=Role.OWNER,
        is_staff=True,
        is_superuser=True,
    )


# Invitations


def _send_invitation_email(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "link": settings.INVITATION_URL.format(token=token),
        "expires_at": invitation.expires_at,
    }
    with override(settings.LANGUAGE_CODE):
        subject = _("You are invited to the CRM")
        text = render_to_string("users/email/invitation.txt", context)
        html = render_to_string("users/email/invitation.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()


def _check_email_free(email: str) -> None:
    if User.objects.filter(email=email).exists():
        raise Conflict(_("An account with this email already exists."))


@transaction.atomic
def invitation_create(*, invited_by: User, email: str, **profile) -> Invitation:
    email = User.objects.normalize_email(email)
    _check_email_free(email)
    _check_may_grant_role(actor=invited_by, role=profile.get("role"))
    token, token_hash = new_token()
    invitation = Invitation(
        email=email,
        invited_by=invited_by,
        token_hash=token_hash,
        expires_at=timezone.now() + settings.INVITATION_TTL,
        **_normalize_phones({k: v for k, v in profile.items() if k in PROFILE_FIELDS}),
    )
    with conflict_on_duplicate(_("This email has a pending invitation already: resend it instead.")):
        invitation.save()
    activity_record(actor=invited_by, verb="invited", target=invitation)
    transaction.on_commit(lambda: _send_invitation_email(invitation, token))
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User) -> Invitation:
    """A new link with a new expiry; the old link stops working."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state in ("accepted", "revoked"):
        raise Conflict(_("Only a pending or expired invitation can be resent."))
    token, invitation.token_hash = new_token()
    invitation.expires_at = timezone.now() + settings.INVITATION_TTL
    invitation.save(update_fields=["token_hash", "expires_at", "updated_at"])
    activity_record(actor=actor, verb="resent", target=invitation)
    transaction.on_commit(lambda: _send_invitation_email(invitation, token))
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state in ("accepted", "revoked"):
        raise Conflict(_("This invitation is already accepted or revoked."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    activity_record(actor=actor, verb="revoked", target=invitation)
    return invitation


def invitation_usable(*, token: str, for_update: bool = False) -> Invitation:
    """The invitation a link carries, if it can still be accepted: else 404, 409 or 410."""
    queryset = Invitation.objects.select_related("group", "department")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(token_hash=hash_token(token)).first()
    if invitation is None or invitation.revoked_at:
        raise NotFound(_("No such invitation."))
    if invitation.accepted_at:
        raise Conflict(_("This invitation has already been used."))
    if invitation.expires_at <= timezone.now():
        raise Gone(_("This invitation has expired. Ask for a new one."))
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str, **profile) -> User:
    invitation = invitation_usable(token=token, for_update=True)
    _check_email_free(invitation.email)
    fields = {name: getattr(invitation, name) for name in PROFILE_FIELDS}
    fields.update(_normalize_phones({k: v for k, v in profile.items() if k in QUESTIONNAIRE_FIELDS}))
    if not fields.get("chat_nickname"):
        fields.pop("chat_nickname", None)
    _validate_password(password, User(email=invitation.email, **fields))
    with conflict_on_duplicate(_("This chat nickname is taken.")):
        user = User.objects.create_user(invitation.email, password, **fields)
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user", "updated_at"])
    activity_record(actor=user, verb="joined", target=user)
    if invitation.invited_by_id:
        notify(
            recipient=invitation.invited_by,
            kind="invitation_accepted",
            title=_("%(name)s accepted your invitation") % {"name": user},
            target=user,
        )
    return user


# Departments


def _department_fields(department: Department, data: dict) -> list[str]:
    changed = [name for name in ("name", "head") if name in data and getattr(department, name) != data[name]]
    for name in changed:
        setattr(department, name, data[name])
    return changed


@transaction.atomic
def department_create(*, actor: User, name: str, parent: Department | None = None, head: User | None = None):
    fields = {"name": name, "head": head}
    if parent is None:
        department = Department.objects.add_root(fields)
    else:
        department = Department.objects.add_child(Department.objects.get(pk=parent.pk), fields)
    activity_record(actor=actor, verb="created", target=department, changed_fields=["name", "head", "parent"])
    return department


@transaction.atomic
def department_update(*, department: Department, actor: User, data: dict) -> Department:
    department = Department.objects.select_for_update().get(pk=department.pk)
    changed = _department_fields(department, data)
    if changed:
        department.save(update_fields=changed)
    if "parent" in data:
        parent = data["parent"]
        current_parent = Department.objects.get_parent(department)
        if (parent and parent.pk) != (current_parent and current_parent.pk):
            if parent is not None and (parent.pk == department.pk or parent.path.startswith(department.path)):
                raise DomainError(_("A department cannot be moved under itself."))
            if parent is None:
                Department.objects.move(department, Department.objects.get_first_root_node(), "sorted-sibling")
            else:
                Department.objects.move(department, Department.objects.get(pk=parent.pk), "sorted-child")
            changed.append("parent")
            department.refresh_from_db()
    if changed:
        activity_record(actor=actor, verb="updated", target=department, changed_fields=changed)
    return department


@transaction.atomic
def department_delete(*, department: Department, actor: User) -> None:
    if Department.objects.get_children_count(department):
        raise Conflict(_("Move or delete the departments inside it first."))
    activity_record(actor=actor, verb="deleted", target=department)
    Department.objects.filter(pk=department.pk).get().delete()


# WebSocket tickets


def ws_ticket_issue(*, user: User) -> str:
    token, token_hash = new_token()
    WebSocketTicket.objects.filter(expires_at__lte=timezone.now()).delete()
    WebSocketTicket.objects.create(user=user, token_hash=token_hash, expires_at=timezone.now() + settings.WS_TICKET_TTL)
    return token


def ws_ticket_consume(*, token: str) -> User | None:
    """The active user a ticket was issued to, or None. A ticket works once: the delete that wins claims it."""
    ticket = WebSocketTicket.objects.select_related("user").filter(token_hash=hash_token(token or "")).first()
    if ticket is None:
        return None
    deleted, _rows = WebSocketTicket.objects.filter(pk=ticket.pk).delete()
    if not deleted or ticket.expires_at <= timezone.now() or not ticket.user.is_active:
        return None
    return ticket.user


# Personal API tokens

# How many characters of the secret (with API_TOKEN_PREFIX) are kept to tell tokens apart; not enough to guess it.
API_TOKEN_SHOWN_CHARS = 12
# last_used_at is written at most this often per token, however many requests it makes.
API_TOKEN_LAST_USED_INTERVAL = timedelta(seconds=60)


def api_token_create(
    *, user: User, name: str, scope: str = ApiTokenScope.READ, expires_at=None
) -> tuple[ApiToken, str]:
    """A new token of `user` and its secret, which is never stored: the caller shows it once."""
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": [_("The expiry must be in the future.")]})
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        expires_at=expires_at,
        prefix=secret[:API_TOKEN_SHOWN_CHARS],
        token_hash=hash_token(secret),
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at:
        raise Conflict(_("This token is already revoked."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_tokens_revoke(*, tokens) -> int:
    """Revoke every token of the queryset `tokens` not revoked yet (the admin's action); returns how many."""
    now = timezone.now()
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=now, updated_at=now)


def _api_tokens_revoke_all(user: User) -> None:
    api_tokens_revoke(tokens=ApiToken.objects.filter(user=user))


def api_token_touch(*, token: ApiToken) -> None:
    """Record that `token` was used, at most once per API_TOKEN_LAST_USED_INTERVAL.

    The condition is in the UPDATE itself, so of concurrent requests only one writes.
    """
    now = timezone.now()
    threshold = now - API_TOKEN_LAST_USED_INTERVAL
    if token.last_used_at is not None and token.last_used_at >= threshold:
        return
    ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=threshold), pk=token.pk).update(
        last_used_at=now
    )
    token.last_used_at = now
