"""Sign-in lockout: django-axes' database handler, locking a username at one client address.

Axes counts the failures of each (username, address) pair in its ``AccessAttempt`` rows
(``AXES_LOCKOUT_PARAMETERS``); ``AXES_FAILURE_LIMIT`` of them lock that pair for
``AXES_COOLOFF_TIME``. Keeping the count in axes' own rows is what lets
``manage.py axes_reset_username`` unlock a user: it deletes them. The failure log
(``AccessFailureLog``) is only the audit trail. This handler adds a log line for each event.
"""

import logging

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

logger = logging.getLogger("governance.lockout")


class LoginLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a log line for each failed or refused sign-in."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        was_locked = bool(getattr(request, "axes_locked_out", False))
        super().user_login_failed(sender, credentials, request, **kwargs)
        username = get_client_username(request, credentials)
        address = request.axes_ip_address
        if was_locked:
            logger.warning("Sign-in refused: username %r is locked out at %s", username, address)
        elif request.axes_locked_out:
            logger.warning(
                "Locked out username %r at %s after %d failed sign-ins",
                username,
                address,
                request.axes_failures_since_start,
            )
        else:
            logger.warning(
                "Failed sign-in for username %r at %s (%d of %d)",
                username,
                address,
                request.axes_failures_since_start,
                settings.AXES_FAILURE_LIMIT,
            )
        return None


def lockout_response(request, original_response=None, credentials=None):
    """The answer to a locked-out sign-in: 429 with Retry-After; JSON under /api/, else the page."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": f"Too many failed sign-ins for this username from your address; "
                f"try again in {minutes} minutes."
            },
            status=429,
        )
    else:
        context = {
            "failure_limit": get_failure_limit(request, credentials),
            "username": get_client_username(request, credentials) or "",
            "cooloff_minutes": minutes,
        }
        response = render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
