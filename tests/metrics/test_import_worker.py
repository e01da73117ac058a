"""Background imports through real worker processes and the broker (Redis in CI).

The upload is sent to the API as a client would; the job is taken by a `celery worker`
process. A worker killed mid-import leaves nothing written, and the job is run again to
success by the next worker (redelivered by the broker, or sent again by the sweep).
"""

import datetime as dt
import signal
import time

import pytest
from django.db import connection
from django.utils import timezone

from metrics.imports.jobs import import_jobs_sweep
from metrics.models import ImportBatch, ImportJob, Observation
from tests.api.conftest import token_client
from tests.factories import MetricFactory, PlaceFactory, SystemFactory
from tests.metrics.test_snapshot_worker import wait_until

pytestmark = pytest.mark.worker

METRIC = "worker-import-monthly"
ROWS = 600


@pytest.fixture
def upload(transactional_db, settings):
    """An analyst's client, and a CSV of ROWS new monthly rows for a Place of its own."""
    settings.PORTAL_IMPORT_BACKGROUND_BYTES = 100
    system = SystemFactory(key="worker-import-system", slug="worker-import-system")
    PlaceFactory(key="worker-import-place", slug="worker-import-place", system=system)
    MetricFactory(code=METRIC, frequency="monthly", minimum=0)
    months = [f"{1900 + k // 12}-{k % 12 + 1:02d}" for k in range(ROWS)]
    text = "metric,subject_type,subject,period,value\n" + "".join(
        f"{METRIC},place,worker-import-place,{month},{i}\n" for i, month in enumerate(months)
    )
    return token_client("worker-import-analyst", "analyst"), text.encode()


def post(client, data: bytes):
    from io import BytesIO

    file = BytesIO(data)
    file.name = "monthly.csv"
    return client.post("/api/v1/observations/bulk/", {"file": file}, format="multipart")


def written() -> tuple[int, int]:
    return (
        Observation.objects.filter(series__metric__code=METRIC).count(),
        ImportBatch.objects.filter(file_name="monthly.csv").count(),
    )


def test_a_large_upload_is_202_and_a_real_worker_imports_it(upload, celery_workers):
    client, data = upload
    worker = celery_workers.start()

    response = post(client, data)

    assert response.status_code == 202, response.content
    location = response["Location"]
    assert response.json()["status"] == "queued"
    wait_until(
        lambda: client.get(location).json()["status"] in ("succeeded", "failed"),
        what="the job to finish",
    )
    body = client.get(location).json()
    assert (body["status"], body["created"], body["rows"], body["attempts"]) == (
        "succeeded",
        ROWS,
        ROWS,
        1,
    )
    assert body["progress"] == {"rows": ROWS, "total": ROWS}
    assert written() == (ROWS, 1)
    assert worker.poll() is None


class TableLock:
    """Hold the observation table (PostgreSQL) or the whole database (SQLite) from a connection
    of our own, so that the worker's import stalls inside its transaction."""

    def __enter__(self):
        s = connection.settings_dict
        if connection.vendor == "postgresql":
            import psycopg2

            self.conn = psycopg2.connect(
                dbname=s["NAME"],
                user=s["USER"],
                host=s["HOST"] or "127.0.0.1",
                port=s["PORT"] or 5432,
                password=s["PASSWORD"] or None,
            )
            self.conn.cursor().execute(
                "BEGIN; LOCK TABLE metrics_observation IN ACCESS EXCLUSIVE MODE"
            )
        else:
            import sqlite3

            self.conn = sqlite3.connect(s["NAME"], isolation_level=None)
            self.conn.execute("BEGIN EXCLUSIVE")
        return self

    def __exit__(self, *exc):
        self.conn.rollback() if connection.vendor == "postgresql" else self.conn.execute("ROLLBACK")
        self.conn.close()


def test_a_worker_killed_mid_import_writes_nothing_and_the_job_is_run_again(upload, celery_workers):
    client, data = upload
    # Sent before the lock (on SQLite it holds the whole database); the job waits in the queue.
    response = post(client, data)
    assert response.status_code == 202
    job = ImportJob.objects.get()
    with TableLock():
        worker = celery_workers.start()
        celery_workers.wait_for(worker, "import_job_run[")
        if connection.vendor == "postgresql":
            wait_until(
                lambda: ImportJob.objects.get(pk=job.pk).status == "running",
                what="the import to start",
            )
        time.sleep(0.5)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)

    # The dead worker's transaction is gone: nothing of the upload was written.
    assert written() == (0, 0)
    job.refresh_from_db()
    assert job.status in ("queued", "running")
    assert (job.batch, job.created) == (None, 0)

    if celery_workers.redelivers:
        # A worker starting restores unacknowledged messages older than the visibility timeout.
        time.sleep(celery_workers.VISIBILITY_TIMEOUT + 1)
    celery_workers.start()
    if not celery_workers.redelivers:
        # The filesystem broker redelivers nothing: the sweep sends the job again (on SQLite,
        # where no lock says the runner died, once the job's time is up).
        wait = dt.timedelta(hours=0 if connection.vendor == "postgresql" else 1)
        later = timezone.now() + wait
        assert import_jobs_sweep(now=later).resent == 1
    wait_until(
        lambda: ImportJob.objects.get(pk=job.pk).status in ("succeeded", "failed"),
        timeout=60,
        what="the job to be run again",
    )
    job.refresh_from_db()
    assert job.status == "succeeded", job.errors
    assert job.attempts in (1, 2)
    assert job.created == ROWS
    # Exactly once: one batch, one observation per row.
    assert written() == (ROWS, 1)
