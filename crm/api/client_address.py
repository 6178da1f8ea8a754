"""The one rule for a request's client address: the peer, or what our own proxies say about it.

With TRUSTED_PROXY_COUNT = 0 (the default) the client is the peer of the connection (REMOTE_ADDR) and
X-Forwarded-For is ignored, since anyone may send it. With N trusted proxies in front of the server, each
of them appends the address it was reached from, so the Nth address from the right of X-Forwarded-For is
the one our outermost proxy saw; whatever a client wrote into the header itself stays to the left of it.
DRF's throttles read the same rule (`NUM_PROXIES` is set from the same setting and `get_ident` is
overridden in crm/throttling.py), and so does anything else that needs a client's address.
"""

import ipaddress

from django.conf import settings


def unmapped(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An IPv4-mapped IPv6 address (::ffff:10.0.0.1, what a dual-stack socket reports) as the IPv4 one it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _address(text: str) -> str | None:
    try:
        return str(unmapped(ipaddress.ip_address(text.strip())))
    except ValueError:
        return None


def client_address(request) -> str:
    """The client's address as text; an empty string when the server was given nothing usable."""
    meta = request.META
    peer = _address(meta.get("REMOTE_ADDR") or "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return peer
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return peer
    # As DRF's NUM_PROXIES: fewer hops than proxies means the request skipped some; take the leftmost.
    return _address(hops[-min(proxies, len(hops))]) or peer


def throttle_ident(request) -> str:
    """Who a throttle counts: the client address, with an IPv6 client counted per /64 network.

    One IPv6 customer line is routinely given a whole /64, so counting single addresses would let
    a client take a new one for every attempt.
    """
    address = client_address(request)
    if ":" not in address:
        return address
    try:
        return str(ipaddress.ip_network(f"{address.split('%')[0]}/64", strict=False))
    except ValueError:
        return address
