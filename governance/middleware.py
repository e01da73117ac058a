"""Access to the portal's pages, and the idle and absolute lifetimes of a signed-in session."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from icsportal.api.throttling import SignInRateThrottle
from icsportal.roles import can_read

SIGNED_IN_AT = "portal_signed_in_at"
# When the session was last saved (and so its expiry renewed), as a POSIX timestamp.
RENEWED_AT = "portal_renewed_at"
# A session is saved again (its idle clock restarted) at most once a minute, not on every request.
RENEW_AFTER_SECONDS = 60


class PortalAccessMiddleware(LoginRequiredMiddleware):
    """Every page needs a signed-in user with a portal role, except views marked
    ``login_not_required`` (sign-in, sign-out, /healthz; the API checks its own tokens)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        refused = super().process_view(request, view_func, view_args, view_kwargs)
        if refused is not None or not getattr(view_func, "login_required", True):
            return refused
        if not can_read(request.user):
            raise PermissionDenied("Your account has no portal role; ask an administrator.")
        return None


class SessionLifetimeMiddleware:
    """Ends a signed-in session ``SESSION_ABSOLUTE_AGE`` seconds after sign-in, however busy.

    The idle limit is the session's own (``SESSION_COOKIE_AGE``), renewed by
    ``SessionRenewalMiddleware``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key_before = request.session.session_key
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            now = timezone.now().timestamp()
            if signed_in_at is not None and now - signed_in_at >= settings.SESSION_ABSOLUTE_AGE:
                logout(request)
                hours = settings.SESSION_ABSOLUTE_AGE // 3600
                messages.info(request, f"You were signed out after {hours} hours. Sign in again.")
        response = self.get_response(request)
        # Signing in gives the session a new key: the clock starts then. Only a session sign-in
        # counts: an API request authenticated by its token must not create a session.
        if SESSION_KEY in request.session and (
            SIGNED_IN_AT not in request.session or request.session.session_key != key_before
        ):
            request.session[SIGNED_IN_AT] = timezone.now().timestamp()
        return response


class SessionRenewalMiddleware:
    """Restarts a signed-in session's idle clock (``SESSION_COOKIE_AGE``) at most once a minute.

    Django saves a session only when it changed; saving it on every request (for a sliding
    expiry) costs three statements per page. Here a session is marked changed, and so saved
    with a new expiry and cookie, when its last save is ``RENEW_AFTER_SECONDS`` old or more:
    a session idle for ``SESSION_COOKIE_AGE`` still ends, at most a minute early. Placed below
    ``SessionMiddleware`` (whose response step does the save) and above
    ``SessionLifetimeMiddleware`` (so a sign-in's save counts as the last one).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or SESSION_KEY not in session:
            return response
        now = timezone.now().timestamp()
        renewed_at = session.get(RENEWED_AT)
        if session.modified or renewed_at is None or now - renewed_at >= RENEW_AFTER_SECONDS:
            session[RENEWED_AT] = now
        return response


# The views that check a password from a form: the portal's sign-in page and the admin's.
SIGN_IN_VIEWS = frozenset({"login", "admin:login"})


class SignInRateLimitMiddleware:
    """Refuses sign-in attempts (POSTs to ``SIGN_IN_VIEWS``) beyond ``SIGN_IN_RATE`` per client
    address with 429, whatever the usernames: the lockout stops guessing one password, this
    stops one address trying many usernames. The token endpoint applies the same throttle."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method != "POST" or match is None or match.view_name not in SIGN_IN_VIEWS:
            return None
        throttle = SignInRateThrottle()
        if throttle.allow_request(request, None):
            return None
        wait = int(throttle.wait() or 60)
        response = render(
            request, "registration/too_many_attempts.html", {"wait": wait}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
