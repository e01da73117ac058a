from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views import defaults

# The watchdog's threshold: a snapshot older than this means the nightly recompute missed.
SNAPSHOT_MAX_AGE_HOURS = 26


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
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
        return "ok"
    except Exception:  # noqa: BLE001 - any broker failure means "unavailable"
        return "unavailable"


def healthz(request):
    """Database and broker status and the age of the newest published snapshot, as JSON."""
    from metrics.choices import SnapshotStatus
    from metrics.models import Snapshot

    database = _database()
    body = {"database": database, "broker": _broker(), "snapshot_age_seconds": None}
    if database == "ok":
        newest = (
            Snapshot.objects.filter(status=SnapshotStatus.PUBLISHED)
            .order_by("-published_at")
            .values_list("published_at", flat=True)
            .first()
        )
        if newest:
            body["snapshot_age_seconds"] = int((timezone.now() - newest).total_seconds())
    age = body["snapshot_age_seconds"]
    body["snapshot_stale"] = age is None or age > SNAPSHOT_MAX_AGE_HOURS * 3600
    status = 200 if database == "ok" and body["broker"] != "unavailable" else 503
    return JsonResponse(body, status=status)


def page_not_found(request, exception):
    """404: JSON under /api/ (clients parse it), the designed page everywhere else."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
