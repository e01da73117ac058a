"""The client's address, trusting ``X-Forwarded-For`` only as far as the proxies in front of us.

One function for everything that keys on an address (sign-in lockout, throttles), so that all of
them see the same client. ``TRUSTED_PROXY_COUNT`` is how many proxies of our own append to
``X-Forwarded-For`` before a request reaches Django: 0 (the default) ignores the header, since
any client can send it; behind one nginx that sets ``proxy_add_x_forwarded_for`` it is 1.
"""

import ipaddress

from django.conf import settings


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_address(request) -> str | None:
    """The address of the client: ``REMOTE_ADDR``, or the entry of ``X-Forwarded-For`` that the
    outermost trusted proxy added (the one before our proxies' own entries)."""
    remote = request.META.get("REMOTE_ADDR")
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if trusted <= 0 or not forwarded:
        return remote
    # Each trusted proxy appended the address it saw; what the client wrote comes before.
    entries = [entry.strip() for entry in forwarded.split(",")]
    candidate = entries[-min(trusted, len(entries))]
    return candidate if _valid(candidate) else remote
