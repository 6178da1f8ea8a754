"""Where a webhook may point: https, and never at this machine or a private network (SSRF)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class RefusedURL(ValueError):
    pass


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to."""
    return [sockaddr[0] for *_ignored, sockaddr in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def check_url(url: str) -> None:
    """Raise RefusedURL (with a reason a person can read) for a URL a webhook must not be sent to.

    Every address the host resolves to is checked. `WEBHOOKS_ALLOW_INSECURE_URLS` (development and tests)
    lets http and loopback through.
    """
    insecure_allowed = settings.WEBHOOKS_ALLOW_INSECURE_URLS
    parts = urlsplit(url)
    if parts.scheme != "https" and not (insecure_allowed and parts.scheme == "http"):
        raise RefusedURL(_("A webhook URL must use https."))
    if not parts.hostname:
        raise RefusedURL(_("A webhook URL needs a host."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = resolve(parts.hostname, port)
    except (OSError, ValueError, UnicodeError):
        raise RefusedURL(_("The webhook URL's host does not resolve.")) from None
    for text in found:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if insecure_allowed and address.is_loopback:
            continue
        if _forbidden(address):
            raise RefusedURL(
                _("The webhook URL's host resolves to a private, loopback or link-local address (%(address)s).")
                % {"address": address}
            )
