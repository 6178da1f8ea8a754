"""DRF's scoped throttle, counting in this process' memory while the shared cache (Redis) is down.

Clients are told apart by `crm.api.client_address.throttle_ident` (TRUSTED_PROXY_COUNT decides whether
X-Forwarded-For is believed at all), never by a header a client can vary from one attempt to the next.
"""

import logging

from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError
from rest_framework import throttling

from crm.api.client_address import throttle_ident

logger = logging.getLogger(__name__)

# Sign-in attempts are still limited while Redis is away, per server process rather than in total.
_fallback = LocMemCache("crm-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    def get_ident(self, request):
        return throttle_ident(request)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as error:
            logger.warning("throttle counting in process memory, the cache is unavailable: %r", error)
            self.cache = _fallback
            return super().allow_request(request, view)


class _Scope:
    """What DRF's scoped throttle reads of a view: its scope."""

    def __init__(self, scope: str):
        self.throttle_scope = scope


def throttle_check(request, scope: str) -> float | None:
    """Count `request` against `scope` outside DRF (a plain Django view); the seconds to wait when over the rate.

    The same class, rate, counter and client rule as the API's views of that scope, so that the
    admin's login and the API's share one allowance per client.
    """
    throttle = ScopedRateThrottle()
    if throttle.allow_request(request, _Scope(scope)):
        return None
    return throttle.wait() or 0
