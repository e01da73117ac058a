"""Run by test_sqlite_reads_during_import in a process of its own, on a new SQLite file with the
portal's settings (as under `make run`): an import runs in a thread of this process and is held
open once it has written its rows, and a page is read meanwhile. Prints one JSON line."""

import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROWS = 60_000  # enough changed pages to outgrow SQLite's cache, as a large upload does


def main(database: str) -> None:
    os.environ.update(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="icsportal.settings",
        SECRET_KEY="sqlite-read-test-not-secret",
        DEBUG="true",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        PORTAL_IMPORT_IN_PROCESS="thread",
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from governance.services import role_grant
    from metrics.imports import staging
    from metrics.imports.jobs import import_job_create
    from metrics.models import ImportJob, Observation
    from tests.factories import MetricFactory, PlaceFactory, SystemFactory

    call_command("migrate", verbosity=0)
    system = SystemFactory(key="sqlite-system", slug="sqlite-system")
    places = [
        PlaceFactory(key=f"sqlite-place-{i}", slug=f"sqlite-place-{i}", system=system)
        for i in range(60)
    ]
    MetricFactory(code="sqlite-monthly", frequency="monthly", minimum=0)
    user = role_grant(username="sqlite-analyst", role="analyst").user
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    # Signed in and seen once: the session's idle clock is renewed (a write) at most once a
    # minute, so the read below is a read only.
    assert client.get("/metrics/sqlite-monthly/").status_code == 200

    written, release = threading.Event(), threading.Event()
    upsert = staging.GenericWriter.upsert

    def upsert_then_hold(self, **kwargs):
        result = upsert(self, **kwargs)
        written.set()  # the rows are written, not yet committed
        release.wait(60)
        return result

    staging.GenericWriter.upsert = upsert_then_hold
    lines = ["metric,subject_type,subject,period,value"]
    months = [f"{1900 + k // 12}-{k % 12 + 1:02d}" for k in range(ROWS // len(places))]
    lines += [
        f"sqlite-monthly,place,{place.slug},{month},{n % 97}"
        for n, (place, month) in enumerate((p, m) for p in places for m in months)
    ]
    data = ("\n".join(lines) + "\n").encode()
    journal = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
    job = import_job_create(data=data, kind="file", file_name="large.csv", user=user)
    report = {"journal_mode": journal, "written": written.wait(120)}
    start = time.monotonic()
    page = client.get("/metrics/sqlite-monthly/")
    report.update(
        page_status=page.status_code,
        page_seconds=round(time.monotonic() - start, 3),
        observations_seen_during=Observation.objects.count(),
    )
    release.set()
    for thread in threading.enumerate():
        if thread.name.startswith("import-job-"):
            thread.join(120)
    job.refresh_from_db()
    report.update(
        job_status=job.status,
        job_created=job.created,
        observations_after=Observation.objects.count(),
        jobs=ImportJob.objects.count(),
    )
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
