"""Background imports: an upload too large for a request is stored and imported by a worker.

``import_job_create`` stores the upload with its job (in the database, so any worker can read
it) and hands the job to the broker once committed; with no broker (``make run``) it runs in a
thread of the web process, or before the request answers in the test suite
(``PORTAL_IMPORT_IN_PROCESS``). ``import_job_execute`` (the Celery task's body) runs the
import, all or nothing, under a job's budget; the job's result is saved in the import's own
transaction, so a job is never half done: either its rows and its result are committed, or
neither is.

A worker killed mid-import leaves nothing written (PostgreSQL rolls back the open
transaction) and the job ``running``. Late acknowledgement brings the task back to another
worker, which runs the job again if its runner is gone; the sweep (every minute) sends again
a job the broker never took, and gives a job whose worker stopped another run. A job run
PORTAL_IMPORT_JOB_ATTEMPTS times is failed with a message saying so.

Whether a runner is alive: on PostgreSQL it holds a session advisory lock on the job's id
for as long as it runs (released by the server when the worker dies); elsewhere, a job that
started longer ago than the job time budget (and a margin) has no live runner, since the
budget would have stopped it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, BinaryIO

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from ..models import ImportJob, ImportUpload
from .budget import Budget
from .errors import ImportFailed
from .services import ImportResult, observations_import
from .stored import stream_size, upload_open, upload_store

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

logger = logging.getLogger(__name__)

IMPORT_JOB_TASK = "metrics.tasks.import_job_run"
_PROGRESS_KEY = "metrics:import-job-progress:{}"
# The advisory locks of import jobs: (this number, job id).
_LOCK_SPACE = 24_001
# A queued job the broker has not started within this long is sent again.
RESEND_AFTER = dt.timedelta(minutes=2)
# Beyond the job's time budget, how long before a running job is taken to have lost its worker
# where no lock says so.
_STALE_MARGIN = dt.timedelta(seconds=60)
_SEND_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 0}

Status = ImportJob.Status


@dataclass(frozen=True)
class JobProgress:
    """How far a job has read: rows read, and the total rows expected (None: not yet known)."""

    rows: int
    total: int | None


@dataclass(frozen=True)
class SweepResult:
    """What a sweep did: jobs sent to the broker again, and jobs failed."""

    resent: int
    failed: int


def import_job_create(
    *, data: bytes | BinaryIO, kind: str, file_name: str, user: AbstractBaseUser | None
) -> ImportJob:
    """Store the upload (``kind`` "file": a CSV or XLSX file or its bytes; "rows": the API's
    JSON rows) as a queued job and start it once committed. The caller has checked the user
    and the size."""
    stream, size = stream_size(data)
    with transaction.atomic():
        job = ImportJob.objects.create(
            owner=user if getattr(user, "is_authenticated", False) else None,
            file_name=file_name[:300],
            size=size,
        )
        upload_store(job, kind, stream)
        if not _inline():
            transaction.on_commit(partial(import_job_dispatch, job.pk))
    if _inline():
        import_job_execute(job.pk)
        job.refresh_from_db()
    return job


def _inline() -> bool:
    return current_app.conf.task_always_eager and settings.PORTAL_IMPORT_IN_PROCESS == "inline"


def import_job_dispatch(job_id: int) -> bool:
    """Hand the job to a worker (or, with no broker, to a thread here); False if the broker
    could not take it (the sweep sends it again)."""
    if _inline():
        import_job_execute(job_id)
        return True
    if current_app.conf.task_always_eager:
        threading.Thread(
            target=_run_in_thread, args=(job_id,), name=f"import-job-{job_id}", daemon=True
        ).start()
        return True
    try:
        with current_app.connection_for_write(
            connect_timeout=1, transport_options=_SEND_OPTIONS
        ) as conn:
            current_app.signature(IMPORT_JOB_TASK, args=(job_id,)).apply_async(
                connection=conn, ignore_result=True, retry=False
            )
    except Exception as exc:  # noqa: BLE001 - the job waits in the database for the sweep
        logger.warning("Broker unavailable (%s); import job %s waits to be sent", exc, job_id)
        return False
    return True


def _run_in_thread(job_id: int) -> None:
    try:
        import_job_execute(job_id)
    finally:
        connection.close()  # this thread's own connection


def import_job_execute(job_id: int) -> str:
    """Run the job if it still needs running; return its status afterwards."""
    locked = _lock(job_id)
    if locked is False:
        return Status.RUNNING  # another worker is running it now
    try:
        job = _job_start(job_id, runner_checked=locked is not None)
        if job is None:
            return ImportJob.objects.get(pk=job_id).status
        return _job_run(job)
    finally:
        if locked:
            _unlock(job_id)


def _job_start(job_id: int, *, runner_checked: bool = True) -> ImportJob | None:
    """Mark the job running for one more attempt, or fail it after too many; None when there
    is nothing to run. Unless ``runner_checked`` (its lock taken), a job another worker
    started recently is left to that worker."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return None
        if job.status == Status.RUNNING and not runner_checked and not _stale(job):
            return None
        if job.attempts >= settings.PORTAL_IMPORT_JOB_ATTEMPTS:
            _job_failed(
                job_id,
                [
                    _whole_file(
                        f"The import was started {job.attempts} times and its worker stopped "
                        "each time (out of memory, or restarted); nothing was written. Upload "
                        "the file again, or split it into smaller files."
                    )
                ],
            )
            return None
        job.status = Status.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.save(update_fields=["status", "attempts", "started_at"])
        return job


def _job_run(job: ImportJob) -> str:
    upload = upload_open(job.pk)
    if upload is None:
        _job_failed(
            job.pk, [_whole_file("The uploaded file is no longer stored; upload it again.")]
        )
        return Status.FAILED
    budget = Budget.for_job(on_progress=partial(progress_save, job.pk))
    owner = job.owner
    on_written = partial(_job_succeeded, job.pk)
    try:
        if upload.kind == "rows":
            rows = json.load(upload.file)
            observations_import(
                rows=rows, file_name=job.file_name, user=owner, budget=budget, on_written=on_written
            )
        else:
            observations_import(
                file=upload.file,
                file_name=job.file_name,
                user=owner,
                budget=budget,
                on_written=on_written,
            )
    except ImportFailed as exc:
        _job_failed(job.pk, exc.errors, total=exc.total)
        return Status.FAILED
    except Exception:
        logger.exception("Import job %s stopped on an unexpected error", job.pk)
        _job_failed(
            job.pk,
            [
                _whole_file(
                    "The import stopped on an unexpected error; nothing was written. Try again "
                    "later, or tell the portal's administrators."
                )
            ],
        )
        return Status.FAILED
    finally:
        upload.file.close()
    return Status.SUCCEEDED


def _whole_file(message: str) -> dict[str, Any]:
    return {"row": None, "column": None, "message": message}


def _job_succeeded(job_id: int, result: ImportResult) -> None:
    """Record the result, in the import's transaction (see the module's docstring)."""
    ImportJob.objects.filter(pk=job_id).update(
        status=Status.SUCCEEDED,
        batch=result.batch,
        rows=result.rows,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        errors=[],
        errors_total=0,
        finished_at=timezone.now(),
    )
    ImportUpload.objects.filter(job_id=job_id).delete()
    transaction.on_commit(partial(_progress_forget, job_id))


def _job_failed(job_id: int, errors: list[dict[str, Any]], *, total: int | None = None) -> None:
    with transaction.atomic():
        ImportJob.objects.filter(pk=job_id).update(
            status=Status.FAILED,
            errors=errors,
            errors_total=len(errors) if total is None else total,
            finished_at=timezone.now(),
        )
        ImportUpload.objects.filter(job_id=job_id).delete()
    _progress_forget(job_id)


def progress_save(job_id: int, rows: int, total: int | None) -> None:
    """Keep the job's progress where the API can read it while the import's transaction is
    open (the cache: a shared one, e.g. Redis, when workers run on other machines)."""
    try:
        cache.set(
            _PROGRESS_KEY.format(job_id),
            {"rows": rows, "total": total},
            timeout=int(settings.PORTAL_IMPORT_JOB_SECONDS) + 60,
        )
    except Exception:  # noqa: BLE001 - progress is a courtesy; the import goes on without it
        logger.debug("progress of import job %s not saved", job_id, exc_info=True)


def _progress_forget(job_id: int) -> None:
    try:
        cache.delete(_PROGRESS_KEY.format(job_id))
    except Exception:  # noqa: BLE001
        logger.debug("progress of import job %s not removed", job_id, exc_info=True)


def job_progress(job: ImportJob) -> JobProgress:
    """How far the job has got: every row once it has succeeded, else what the worker said."""
    if job.status == Status.SUCCEEDED:
        return JobProgress(job.rows, job.rows)
    if job.status != Status.RUNNING:
        return JobProgress(0, None)
    try:
        found = cache.get(_PROGRESS_KEY.format(job.pk))
    except Exception:  # noqa: BLE001
        found = None
    if not found:
        return JobProgress(0, None)
    return JobProgress(found["rows"], found["total"])


def _lock(job_id: int) -> bool | None:
    """Take the job's advisory lock on PostgreSQL: True if taken, False if another session
    holds it, None where there are no advisory locks."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_SPACE, job_id])
        return bool(cursor.fetchone()[0])


def _unlock(job_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_SPACE, job_id])


def _runner_gone(job: ImportJob, now: dt.datetime) -> bool:
    """Whether the worker that started this running job has stopped (module docstring)."""
    locked = _lock(job.pk)
    if locked is not None:
        if locked:
            _unlock(job.pk)
        return locked
    return _stale(job, now)


def _stale(job: ImportJob, now: dt.datetime | None = None) -> bool:
    """Whether the job started longer ago than its budget and a margin allow a runner."""
    now = now or timezone.now()
    budget = dt.timedelta(seconds=settings.PORTAL_IMPORT_JOB_SECONDS)
    return job.started_at is None or job.started_at < now - budget - _STALE_MARGIN


def import_jobs_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Send again the queued jobs the broker has not started, and the running jobs whose worker
    stopped (failing those already run PORTAL_IMPORT_JOB_ATTEMPTS times)."""
    now = now or timezone.now()
    resend: list[int] = []
    failed = 0
    waiting = ImportJob.objects.filter(status=Status.QUEUED, created_at__lt=now - RESEND_AFTER)
    resend += waiting.values_list("pk", flat=True)
    for job in ImportJob.objects.filter(status=Status.RUNNING):
        if not _runner_gone(job, now):
            continue
        if job.attempts >= settings.PORTAL_IMPORT_JOB_ATTEMPTS:
            # Failed here rather than by a worker: it would only fail it.
            _job_start(job.pk)
            failed += 1
        else:
            ImportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(status=Status.QUEUED)
            resend.append(job.pk)
    resent = sum(import_job_dispatch(pk) for pk in resend)
    return SweepResult(resent=resent, failed=failed)
