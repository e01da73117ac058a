"""Request hygiene that must run before the session is read, request ids and security headers."""

import json
import logging
import re
import secrets
import time
import uuid

from django.conf import settings
from django.http import Http404, JsonResponse
from django.urls import get_resolver
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


API_PREFIX = "/api/"
# What an error under /api/ says when whatever answered it (Django's 404 page, CSRF failure,
# a body too large, the 500 page) wrote HTML. DRF's own errors are JSON already.
_API_ERRORS = {
    400: "Bad request: the request could not be read.",
    403: "Forbidden.",
    404: "Not found.",
    405: "Method not allowed.",
    413: "The request body is too large.",
    429: "Too many requests; try again later.",
    500: "Server error: the request failed; it has been logged.",
    503: "The service is unavailable; try again in a few minutes.",
}


def _is_api_error(request, response) -> bool:
    return (
        request.path.startswith(API_PREFIX)
        and response.status_code >= 400
        and not response.streaming
        and not response.get("Content-Type", "").startswith("application/json")
    )


class ApiJsonErrorsMiddleware:
    """Every error under /api/ is JSON (``{"detail": ...}``), whoever answered it: clients
    parse the body, and an HTML page is no use to them. Sits above everything that can answer
    with an error page (CSRF, axes, Django's handlers for 404 and 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not _is_api_error(request, response):
            return response
        # The same response, its body replaced: its headers (Allow, Retry-After...) stay, and
        # Django, which has logged it already, does not log it twice.
        detail = _API_ERRORS.get(response.status_code, f"Request failed ({response.status_code}).")
        response.content = json.dumps({"detail": detail})
        response["Content-Type"] = "application/json"
        return response


class PortalErrorPagesMiddleware:
    """The portal's own "Page not found" and "Sorry, there is a problem" pages in every mode.

    With DEBUG on, Django answers a 404 or an uncaught exception with its technical pages
    (settings, stack frames); people using ``make run`` should see the portal's pages. The
    traceback still goes to the log: Django logs the exception before this sees the response.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not (
            settings.DEBUG
            and response.status_code in (404, 500)
            and not request.path.startswith(API_PREFIX)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return response
        handler = get_resolver().resolve_error_handler(response.status_code)
        page = handler(request, Http404()) if response.status_code == 404 else handler(request)
        # Django has logged this request already (with the traceback, for a 500).
        page._has_been_logged = True
        return page


class ApiNullCharacterMiddleware:
    """A query parameter under /api/ holding a NUL character is a 400 naming the parameter,
    before any view runs: PostgreSQL cannot take NUL in text, and no name or code holds one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            refused = sorted(
                name
                for name, values in request.GET.lists()
                if "\x00" in name or any("\x00" in value for value in values)
            )
            if refused:
                message = "Null characters are not allowed."
                return JsonResponse({name: message for name in refused}, status=400)
        return self.get_response(request)
