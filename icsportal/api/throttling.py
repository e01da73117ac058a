"""Rate limits per client address that let requests through when the cache is down.

A throttle keeps its counts in the cache (Redis in production). With the cache unreachable the
portal keeps serving from PostgreSQL, and so do these: a throttle that cannot count lets the
request through and logs a warning, rather than turning every request into a 500.
"""

import logging
import time

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from ..client_address import client_address

logger = logging.getLogger("icsportal.throttle")


class AddressRateThrottle(SimpleRateThrottle):
    """Requests per client address (``icsportal.client_address``) at the rate in the Django
    setting named ``rate_setting``."""

    rate_setting = ""

    def get_rate(self):
        # Read from Django's settings at each use, not once at import, so tests can change it.
        return getattr(settings, self.rate_setting)

    def timer(self) -> float:
        # time.time looked up at each call (DRF binds it once, at import).
        return time.time()

    def get_ident(self, request):
        return client_address(request)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # noqa: BLE001 - each cache backend raises its client's errors
            logger.warning(
                "Throttle %s not applied: the cache is unavailable (%s: %s)",
                self.scope,
                type(exc).__name__,
                exc,
            )
            return True


class SignInRateThrottle(AddressRateThrottle):
    """Sign-in attempts per client address: the sign-in pages and the token endpoint share it."""

    scope = "sign_in"
    rate_setting = "SIGN_IN_RATE"
