"""DRF's scoped throttle, counting in this process' memory while the shared cache (Redis) is down."""

import logging

from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError
from rest_framework import throttling

logger = logging.getLogger(__name__)

# Sign-in attempts are still limited while Redis is away, per server process rather than in total.
_fallback = LocMemCache("crm-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as error:
            logger.warning("throttle counting in process memory, the cache is unavailable: %r", error)
            self.cache = _fallback
            return super().allow_request(request, view)
