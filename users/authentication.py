from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from crm.api.parsing import parse_int
from users.models import User
from users.selectors import user_by_pk


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
