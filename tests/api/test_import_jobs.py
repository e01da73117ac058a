"""Background imports: the 202 answer, the job's URL and list, the sweep, and the command's bar.

The job runs in-process here (PORTAL_IMPORT_IN_PROCESS = "inline" in the test settings); the
worker tests (test_import_worker) run it in a real worker process.
"""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from metrics.imports import jobs, services
from metrics.management.commands.import_observations import progress_line
from metrics.models import ImportBatch, ImportJob, ImportUpload, Observation
from tests.factories import MetricFactory

pytestmark = pytest.mark.django_db

UPLOADS = Path(__file__).parent.parent / "metrics" / "uploads"
GOOD = (UPLOADS / "good.csv").read_bytes()
ROW = {
    "metric": "wf-sickness",
    "subject_type": "organisation",
    "subject": "UHCW",
    "period": "2019-08-31",
    "value": 4.5,
}


@pytest.fixture(autouse=True)
def monthly_metric(monkeypatch):
    """good.csv's monthly metric; snapshots are not recomputed here."""
    monkeypatch.setattr(services, "recompute_after_commit", lambda *, series_ids: None)
    return MetricFactory(code="test-monthly-admissions", frequency="monthly", minimum=0)


@pytest.fixture
def background(settings):
    """Every file and every list of more than one row goes to the background."""
    settings.PORTAL_IMPORT_BACKGROUND_BYTES = 10
    settings.PORTAL_IMPORT_BACKGROUND_ROWS = 1


def post_file(client, data: bytes, name: str = "good.csv"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post("/api/v1/observations/bulk/", {"file": upload}, format="multipart")


def test_a_large_file_is_202_with_the_job_url_which_reports_the_result(analyst, background):
    response = post_file(analyst, GOOD)

    assert response.status_code == 202, response.content
    job = ImportJob.objects.get()
    assert response["Location"] == f"/api/v1/imports/{job.pk}/"
    body = analyst.get(response["Location"]).json()
    batch = ImportBatch.objects.get()
    assert body | {"created_at": None, "started_at": None, "finished_at": None} == {
        "id": job.pk,
        "url": f"/api/v1/imports/{job.pk}/",
        "status": "succeeded",
        "file_name": "good.csv",
        "size": len(GOOD),
        "owner": analyst.user.username,
        "created_at": None,
        "started_at": None,
        "finished_at": None,
        "attempts": 1,
        "progress": {"rows": 7, "total": 7},
        "batch": batch.pk,
        "rows": 7,
        "created": 7,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "errors_total": 0,
    }
    assert Observation.objects.filter(batch=batch).count() == 7
    # The stored file goes once the job has ended.
    assert not ImportUpload.objects.exists()


def test_a_small_file_is_still_imported_in_the_request(analyst, settings):
    settings.PORTAL_IMPORT_BACKGROUND_BYTES = len(GOOD)
    response = post_file(analyst, GOOD)
    assert response.status_code == 201
    assert response.json()["created"] == 7
    assert not ImportJob.objects.exists()


def test_a_failed_job_reports_every_error_with_row_and_column_and_writes_nothing(
    analyst, background
):
    bad = GOOD.replace(b",12034,", b",lots,")
    observations = Observation.objects.count()
    response = post_file(analyst, bad)

    assert response.status_code == 202
    body = analyst.get(response["Location"]).json()
    assert body["status"] == "failed"
    assert body["errors_total"] == 1
    [error] = body["errors"]
    assert (error["row"], error["column"]) == (2, "value")
    assert "lots" in error["message"]
    assert (body["batch"], body["created"]) == (None, 0)
    assert Observation.objects.count() == observations
    assert not ImportBatch.objects.exists()


def test_a_long_list_of_rows_goes_to_the_background_too(analyst, background):
    rows = [ROW, {**ROW, "subject": "GEH"}]
    response = analyst.post("/api/v1/observations/bulk/", rows, format="json")
    assert response.status_code == 202
    job = ImportJob.objects.get()
    assert (job.status, job.file_name, job.created) == ("succeeded", "api", 2)


def test_analysts_see_their_own_jobs_and_administrators_everyone_s(api_as, background):
    first, second = api_as("analyst"), api_as("admin")
    mine = post_file(first, GOOD).json()["id"]
    theirs = post_file(second, GOOD).json()["id"]

    listed = first.get("/api/v1/imports/").json()
    assert [job["id"] for job in listed["results"]] == [mine]
    assert first.get(f"/api/v1/imports/{theirs}/").status_code == 404
    everyone = second.get("/api/v1/imports/").json()
    assert [job["id"] for job in everyone["results"]] == [theirs, mine]
    for role in (None, "commissioner", "secretary_a"):
        assert api_as(role).get(f"/api/v1/imports/{mine}/").status_code in (401, 403)


def test_the_schema_documents_the_202_and_the_imports(analyst):
    schema = analyst.get("/api/schema/", {"format": "json"}).json()
    bulk = schema["paths"]["/api/v1/observations/bulk/"]["post"]["responses"]
    assert {"201", "202", "400", "413"} <= set(bulk)
    assert "/api/v1/imports/" in schema["paths"]
    detail = schema["paths"]["/api/v1/imports/{id}/"]["get"]["responses"]
    assert {"200", "404"} <= set(detail)
    assert analyst.get("/api/v1/").json()["imports"].endswith("/api/v1/imports/")


def _job(status: str, *, attempts: int = 0, started: dt.datetime | None = None) -> ImportJob:
    job = ImportJob.objects.create(
        file_name="good.csv", size=len(GOOD), status=status, attempts=attempts, started_at=started
    )
    ImportUpload.objects.create(job=job, data=GOOD)
    return job


def test_the_sweep_runs_again_a_job_whose_worker_stopped(monkeypatch, settings):
    settings.PORTAL_IMPORT_JOB_SECONDS = 1
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    stopped = _job("running", attempts=1, started=long_ago)
    # The server released a dead worker's lock; here no one holds it either.
    result = jobs.import_jobs_sweep()
    stopped.refresh_from_db()
    assert result == jobs.SweepResult(resent=1, failed=0)
    assert (stopped.status, stopped.attempts, stopped.created) == ("succeeded", 2, 7)


def test_the_sweep_fails_a_job_run_too_often_and_resends_a_lost_one(settings):
    settings.PORTAL_IMPORT_JOB_SECONDS = 1
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    worn = _job("running", attempts=2, started=long_ago)
    lost = _job("queued")
    ImportJob.objects.filter(pk=lost.pk).update(created_at=long_ago)

    result = jobs.import_jobs_sweep()

    assert result == jobs.SweepResult(resent=1, failed=1)
    worn.refresh_from_db()
    assert worn.status == "failed"
    assert "started 2 times" in worn.errors[0]["message"]
    assert not ImportUpload.objects.filter(job=worn).exists()
    lost.refresh_from_db()
    assert lost.status == "succeeded"


class RunnerLock:
    """On PostgreSQL, a live runner holds the job's advisory lock in its own session."""

    def __init__(self, job_id: int):
        self.job_id = job_id

    def __enter__(self):
        if connection.vendor == "postgresql":
            import psycopg2

            s = connection.settings_dict
            self.conn = psycopg2.connect(
                dbname=s["NAME"], user=s["USER"], host=s["HOST"] or "127.0.0.1", port=s["PORT"]
            )
            self.conn.autocommit = True
            self.conn.cursor().execute("SELECT pg_advisory_lock(24001, %s)", [self.job_id])
        return self

    def __exit__(self, *exc):
        if connection.vendor == "postgresql":
            self.conn.close()


def test_the_sweep_leaves_a_job_that_is_still_running(settings):
    recent = _job("running", attempts=1, started=timezone.now())
    queued = _job("queued")
    with RunnerLock(recent.pk):
        assert jobs.import_jobs_sweep() == jobs.SweepResult(resent=0, failed=0)
        # A second delivery of its task leaves it to its runner too.
        assert jobs.import_job_execute(recent.pk) == "running"
    recent.refresh_from_db()
    queued.refresh_from_db()
    assert (recent.status, queued.status) == ("running", "queued")


def test_a_job_already_finished_is_not_run_again():
    job = _job("succeeded", attempts=1)
    assert jobs.import_job_execute(job.pk) == "succeeded"
    assert not ImportBatch.objects.exists()


def test_the_command_shows_a_progress_bar(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("metrics.imports.services.TICK_ROWS", 2)
    monkeypatch.setattr("metrics.imports.budget.PROGRESS_EVERY", 0)
    path = tmp_path / "good.csv"
    path.write_bytes(GOOD)
    call_command("import_observations", str(path), "--progress")
    captured = capsys.readouterr()
    assert "Imported good.csv: 7 rows" in captured.out
    assert "\r[" in captured.err and "of 7 rows" in captured.err


def test_the_progress_line():
    assert progress_line(15, 30) == "[" + "#" * 15 + "." * 15 + "]  50% 15 of 30 rows"
    assert progress_line(5, None) == "5 rows read"


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_job_runs_in_a_thread_and_the_same_url_reports_it(settings):
    """As under `make run`: the request answers 202 at once; a thread of the web process
    imports the file, and the job's URL reports it."""
    import time

    from tests.api.conftest import token_client
    from tests.factories import PlaceFactory, SystemFactory

    settings.PORTAL_IMPORT_IN_PROCESS = "thread"
    settings.PORTAL_IMPORT_BACKGROUND_BYTES = 10
    system = SystemFactory(key="thread-system", slug="thread-system")
    PlaceFactory(key="thread-place", slug="thread-place", system=system)
    MetricFactory(code="thread-monthly", frequency="monthly", minimum=0)
    client = token_client("thread-analyst", "analyst")
    data = (
        b"metric,subject_type,subject,period,value\nthread-monthly,place,thread-place,2020-01,5\n"
    )

    response = post_file(client, data, name="thread.csv")

    assert response.status_code == 202
    deadline = time.monotonic() + 30
    while (body := client.get(response["Location"]).json())["status"] not in (
        "succeeded",
        "failed",
    ):
        assert time.monotonic() < deadline, body
        time.sleep(0.1)
    assert (body["status"], body["created"]) == ("succeeded", 1), body["errors"]
    # The thread goes on to recompute the dashboards after the import commits: wait for it, so
    # that nothing it writes outlives this test's flush.
    import threading

    for thread in threading.enumerate():
        if thread.name.startswith("import-job-"):
            thread.join(timeout=60)
            assert not thread.is_alive()
