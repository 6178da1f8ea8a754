import hashlib
import secrets


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A random URL-safe token and the hash under which it is stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


# Personal API tokens' secrets start with this, so that a secret pasted where it should not be is recognisable.
API_TOKEN_PREFIX = "crm_"
API_TOKEN_MAX_LENGTH = 100
