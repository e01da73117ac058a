"""Sign-in lockout: django-axes, counting a username's failures in a sliding window.

Axes' own database handler counts failures since the last quiet spell of one cool-off period;
the portal's rule is narrower and exact: ``AXES_FAILURE_LIMIT`` failures for one username within
``PORTAL_LOGIN_FAILURE_WINDOW`` lock it for ``AXES_COOLOFF_TIME`` from the last refused attempt.
The failures are the rows of axes' access failure log (``AXES_ENABLE_ACCESS_FAILURE_LOG``).
"""

import logging

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessFailureLog
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("governance.lockout")

# Set while the handler records a failure, whose own log row is written after it is counted.
_COUNTING_CURRENT = "_portal_counting_current_failure"


class LoginLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a sliding failure window and a log line for each event."""

    def get_failures(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        if username is None:
            return 0
        now = getattr(request, "axes_attempt_time", None) or timezone.now()
        failures = AccessFailureLog.objects.filter(username=username)
        if failures.filter(locked_out=True, attempt_time__gt=now - get_cool_off(request)).exists():
            return settings.AXES_FAILURE_LIMIT
        recent = failures.filter(attempt_time__gt=now - settings.PORTAL_LOGIN_FAILURE_WINDOW)
        return recent.count() + (1 if getattr(request, _COUNTING_CURRENT, False) else 0)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        was_locked = self.is_locked(request, credentials)
        setattr(request, _COUNTING_CURRENT, True)
        try:
            super().user_login_failed(sender, credentials, request, **kwargs)
        finally:
            setattr(request, _COUNTING_CURRENT, False)
        username = get_client_username(request, credentials)
        if was_locked:
            logger.warning("Sign-in refused: username %r is locked out", username)
        elif request.axes_locked_out:
            logger.warning(
                "Locked out username %r after %d failed sign-ins within %s",
                username,
                request.axes_failures_since_start,
                settings.PORTAL_LOGIN_FAILURE_WINDOW,
            )
        else:
            logger.warning(
                "Failed sign-in for username %r (%d within %s)",
                username,
                request.axes_failures_since_start,
                settings.PORTAL_LOGIN_FAILURE_WINDOW,
            )
        return None
