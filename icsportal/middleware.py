"""Request hygiene that must run before the session is read, request ids and security headers."""

import logging
import re
import secrets
import time
import uuid

from django.conf import settings
from django.utils.cache import add_never_cache_headers

from .logging import request_id_var

# Django makes session keys of lower-case letters and digits; anything else is not one of ours.
_SESSION_KEY = re.compile(r"[a-z0-9]{8,64}")


class DropMalformedSessionCookieMiddleware:
    """Treat a session cookie that could not be a session key (NUL bytes and the like) as absent,
    so a hostile cookie gets the anonymous answer instead of a database error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if key is not None and not _SESSION_KEY.fullmatch(key):
            del request.COOKIES[settings.SESSION_COOKIE_NAME]
        return self.get_response(request)


_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
_request_log = logging.getLogger("icsportal.request")


class RequestIdMiddleware:
    """Gives each request an id: the caller's ``X-Request-ID`` when it is a plausible one
    (8–128 letters, digits and ``._:-``), else a new one. Every log line written while the
    request runs carries it, the response returns it, and one line per request records the
    method, path (never the query string), status and duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            _request_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def content_security_policy(path: str, nonce: str) -> str:
    """The Content-Security-Policy for a response to ``path``: settings.CONTENT_SECURITY_POLICY
    with the directives of every matching CONTENT_SECURITY_POLICY_PATHS prefix put over it."""
    directives = dict(settings.CONTENT_SECURITY_POLICY)
    for prefix, overrides in settings.CONTENT_SECURITY_POLICY_PATHS.items():
        if path.startswith(prefix):
            directives.update(overrides)
    return "; ".join(
        " ".join([name, *(v.replace("{nonce}", nonce) for v in values)]).strip()
        for name, values in directives.items()
    )


class SecurityHeadersMiddleware:
    """The headers Django 5.2 does not send itself, on every response (pages, API, errors and
    static files, so it sits above WhiteNoise): a Content-Security-Policy whose scripts need
    the request's nonce (``request.csp_nonce``, in templates ``csp_nonce``),
    ``X-Frame-Options: DENY`` where nothing more specific was set, and for a signed-in user
    ``Cache-Control: no-store`` so that no browser or proxy keeps a copy of what they saw."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(18)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(
                request.path, request.csp_nonce
            )
        if "X-Frame-Options" not in response:
            response["X-Frame-Options"] = "DENY"
        # Set by AuthenticationMiddleware, or by DRF for a token-authenticated API request.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
