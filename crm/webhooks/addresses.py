"""Where a webhook may point: https, and never at this machine or a private network (SSRF)."""

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from crm.api.client_address import unmapped


class RefusedURL(ValueError):
    pass


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to."""
    return [sockaddr[0] for *_ignored, sockaddr in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def check_url(url: str) -> list[str]:
    """The addresses `url`'s host resolves to, each one checked; RefusedURL (with a reason a person can read)
    for a URL a webhook must not be sent to. At registration."""
    parts = check_scheme(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise RefusedURL(_("The webhook URL's host does not resolve.")) from None
    return checked_addresses(parts.hostname, port)


def check_scheme(url: str) -> SplitResult:
    """The URL's parts, once its scheme and host are ones a webhook may use (no name is resolved)."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not (settings.WEBHOOKS_ALLOW_INSECURE_URLS and parts.scheme == "http"):
        raise RefusedURL(_("A webhook URL must use https."))
    if not parts.hostname:
        raise RefusedURL(_("A webhook URL needs a host."))
    return parts


def checked_addresses(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, once, each checked: RefusedURL if any is forbidden.

    `WEBHOOKS_ALLOW_INSECURE_URLS` (development and tests) lets loopback through. The worker connects to
    these very addresses (`crm.webhooks.transport`), so the name is not resolved again between the check
    and the connection (DNS rebinding).
    """
    try:
        found = resolve(host, port)
    except (OSError, ValueError, UnicodeError):
        raise RefusedURL(_("The webhook URL's host does not resolve.")) from None
    if not found:
        raise RefusedURL(_("The webhook URL's host does not resolve."))
    for text in found:
        address = unmapped(ipaddress.ip_address(text.split("%", 1)[0]))
        if settings.WEBHOOKS_ALLOW_INSECURE_URLS and address.is_loopback:
            continue
        if _forbidden(address):
            raise RefusedURL(
                _("The webhook URL's host resolves to a private, loopback or link-local address (%(address)s).")
                % {"address": address}
            )
    return found
