from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from crm.api.parsing import parse_int
from crm.api.throttling import ScopedRateThrottle
from users.models import ApiToken, ApiTokenScope, User
from users.selectors import api_token_by_secret, user_by_pk


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's authentication, reading the token's user through `user_by_pk` (SQL compiled once) instead of
    a queryset built for every request; the checks and their messages are simplejwt's own."""

    def get_user(self, validated_token):
        if User._meta.pk.name != api_settings.USER_ID_FIELD:
            return super().get_user(validated_token)
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as e:
            raise InvalidToken(_("Token contained no recognizable user identification")) from e
        try:
            # Strictly, as any id a client sends: past 2^63-1 the database would fail on it (a 500).
            user = user_by_pk(parse_int(user_id, min_value=1))
        except ValidationError:
            user = None
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user


class JWTScheme(SimpleJWTScheme):
    """The schema's `jwtAuth` for the class above, as drf-spectacular writes it for simplejwt's."""

    target_class = "users.authentication.JWTAuthentication"


class _TokenThrottleScope:
    """What the scoped throttle reads of a view, for a request made with `token`."""

    throttle_scope = "token"

    def __init__(self, token: ApiToken):
        self.api_token = token


class ApiTokenThrottle(ScopedRateThrottle):
    """THROTTLE_TOKEN_RATE per personal API token, whatever address its requests come from."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": f"api-token-{view.api_token.pk}"}


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <secret>`: a personal API token, acting as its owner narrowed by its scope.

    Everything a token may not do is refused here, once for every view: a token that is unknown,
    revoked, expired or whose owner is inactive is a 401; a read-only token's unsafe request a 403;
    a token past its rate a 429.
    """

    keyword = "Token"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: give the token after the word Token."))
        try:
            secret = header[1].decode()
        except UnicodeError:
            secret = ""
        token = api_token_by_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("The API token is invalid, expired or revoked."))
        throttle = ApiTokenThrottle()
        if not throttle.allow_request(request, _TokenThrottleScope(token)):
            raise exceptions.Throttled(throttle.wait())
        if token.scope != ApiTokenScope.READ_WRITE and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(_("This API token is read-only."))
        from users.services import api_token_touch  # here: the services import the serializers, which import this

        api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class NotByApiToken(BasePermission):
    """Refuses requests made with a personal API token: tokens do not manage tokens."""

    message = _("Personal API tokens are managed after signing in, not with a token.")

    def has_permission(self, request, view):
        return not isinstance(request.auth, ApiToken)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The schema's `tokenAuth`: a personal API token in the Authorization header."""

    target_class = "users.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": _(
                "A personal API token (`/api/users/me/tokens/`), sent as `Authorization: Token <secret>`. "
                "It acts as its owner; a read-only token is refused any write (403), and each token has a "
                "rate of its own (429)."
            ),
        }
