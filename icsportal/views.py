from django.db import connection
from django.http import JsonResponse


def healthz(request):
    """Liveness and readiness: the database answers a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return JsonResponse({"database": database}, status=status)
