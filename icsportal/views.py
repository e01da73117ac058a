import logging
import sys
import uuid

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils import timezone
from django.views import defaults
from django.views.generic import TemplateView

from .db_errors import is_database_down, is_write_conflict

logger = logging.getLogger(__name__)

# Ask clients to try again after this many seconds when a service the portal needs is down.
RETRY_AFTER_SECONDS = 30


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:  # noqa: BLE001 - any database failure means "unavailable"
        return "unavailable"


def _broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "in-process"
    from icsportal.celery import app

    try:
        with app.connection_for_write(
            connect_timeout=1,
            transport_options={"socket_connect_timeout": 1, "socket_timeout": 1, "max_retries": 0},
        ) as conn:
            conn.ensure_connection(max_retries=0, timeout=1)
        return "ok"
    except Exception:  # noqa: BLE001 - any broker failure means "unavailable"
        return "unavailable"


def healthz(request):
    """Database and broker status, the snapshots' age and waiting recomputes, as JSON.

    503 only when the database is down: with the broker down the portal still serves every page
    and keeps recompute requests in the database, so the body says so but the answer is 200.
    """
    from metrics.outbox import pending_requests, snapshots_checked_at

    database = _database()
    body = {"database": database, "broker": _broker(), "snapshot_age_seconds": None}
    if database == "ok":
        checked = snapshots_checked_at()
        if checked:
            body["snapshot_age_seconds"] = int((timezone.now() - checked).total_seconds())
        count, oldest = pending_requests()
        body["recompute_pending"] = count
        body["recompute_waiting_seconds"] = (
            int((timezone.now() - oldest).total_seconds()) if oldest else None
        )
    age = body["snapshot_age_seconds"]
    body["snapshot_stale"] = age is None or age > settings.SNAPSHOT_MAX_AGE.total_seconds()
    response = JsonResponse(body, status=200 if database == "ok" else 503)
    if database != "ok":
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def page_not_found(request, exception):
    """404: JSON under /api/ (clients parse it), the designed page everywhere else."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def _write_conflict(request, exc):
    """409: a deadlock or serialization failure the view did not retry. The database is up and
    nothing was written (the transaction was rolled back); the same request may succeed."""
    logger.warning(
        "Write conflict for %s %s: %s",
        request.method,
        request.path,
        (str(exc).strip().splitlines() or [""])[0],
    )
    message = (
        "Another request changed the same rows at the same time; nothing was written. Try again."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=409)
    return HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")


def server_error(request):
    """500, or 503 when the database is unavailable: the designed page (JSON under /api/) with
    an error id that the log line also carries; never a stack trace."""
    exc = sys.exc_info()[1]
    if is_write_conflict(exc):
        return _write_conflict(request, exc)
    if not is_database_down(exc):
        return defaults.server_error(request)
    # The middleware this response passes back through would try the database again (each
    # attempt up to connect_timeout): from now on this request has no session and no user.
    session = getattr(request, "session", None)
    if session is not None:
        session._session_cache = {}
    request.user = request._cached_user = AnonymousUser()
    error_id = uuid.uuid4().hex[:12]
    logger.error(
        "Database unavailable (error id %s) for %s %s: %s: %s",
        error_id,
        request.method,
        request.path,
        type(exc).__name__,
        (str(exc).strip().splitlines() or [""])[0],
        extra={"error_id": error_id},
    )
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": "The service is unavailable: its database cannot be reached. "
                "Try again in a few minutes.",
                "error_id": error_id,
            },
            status=503,
        )
    else:
        page = loader.get_template("503.html").render({"error_id": error_id})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # This line says what failed; Django's own would repeat it with the stack trace.
    response._has_been_logged = True
    return response


class AccessibilityStatementView(TemplateView):
    """The accessibility statement public-sector services publish: what was tested, how, and
    the known issues; readable without signing in."""

    template_name = "about/accessibility.html"
