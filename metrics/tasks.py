"""Celery tasks: thin wrappers that take ids and call the snapshot services."""

import logging

from celery import group, shared_task
from django.conf import settings
from django.db import OperationalError, transaction

from .imports.jobs import IMPORT_JOB_TASK, import_job_execute, import_jobs_sweep
from .outbox import (
    RECOMPUTE_SCOPE_TASK,
    RESEND_AFTER,
    all_scopes,
    recompute_enqueue,
    recompute_request,
    scope_recompute,
    snapshots_stale,
)
from .snapshots import SnapshotBusy, scope_batches, scope_series_counts

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name=RECOMPUTE_SCOPE_TASK,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def snapshot_recompute_scope(self, system_id: int, place_id: int | None = None) -> dict:
    """Build and publish the snapshot of one scope: a Place, or the system when place_id is None."""
    try:
        snapshot = scope_recompute(system_id=system_id, place_id=place_id)
    except SnapshotBusy:
        # Another worker is building this scope; a request it does not cover stays pending.
        logger.info("snapshot of system %s place %s already building", system_id, place_id)
        return {"system": system_id, "place": place_id, "snapshot": None, "busy": True}
    if not self.request.is_eager:
        # The broker works again: hand over the requests it could not take while it was down.
        recompute_enqueue()
    return {"system": system_id, "place": place_id, "snapshot": snapshot.pk, "busy": False}


@shared_task(name="metrics.tasks.snapshots_recompute_all", acks_late=True)
def snapshots_recompute_all() -> int:
    """Fan out every scope, packed into tasks of at least SNAPSHOT_TASK_MIN_SERIES series each,
    as a group any number of workers share; returns the number of tasks."""
    batches = scope_batches(
        all_scopes(), scope_series_counts(), min_series=settings.SNAPSHOT_TASK_MIN_SERIES
    )
    if batches:
        group(snapshots_recompute_scopes.s(batch) for batch in batches).apply_async()
    return len(batches)


@shared_task(
    name="metrics.tasks.snapshots_recompute_scopes",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def snapshots_recompute_scopes(scopes: list[list]) -> dict:
    """Build and publish the snapshots of several scopes, one after another.

    Each scope is published on its own, so a retry or a redelivery after a lost worker redoes
    only what had not been published: a scope whose data are unchanged is confirmed, not
    rebuilt. Returns how many scopes were built and how many another worker was building.
    """
    built = busy = 0
    for system_id, place_id in scopes:
        try:
            scope_recompute(system_id=system_id, place_id=place_id)
        except SnapshotBusy:
            logger.info("snapshot of system %s place %s already building", system_id, place_id)
            busy += 1
        else:
            built += 1
    return {"scopes": len(scopes), "built": built, "busy": busy}


@shared_task(name="metrics.tasks.snapshots_watchdog")
def snapshots_watchdog() -> int:
    """Ask for every scope to be recomputed when no snapshot has been published or confirmed
    within SNAPSHOT_MAX_AGE (the nightly run was missed); returns how many were asked for."""
    if not snapshots_stale():
        return 0
    scopes = all_scopes()
    logger.warning(
        "No snapshot published or confirmed within the maximum age; recomputing %d scopes",
        len(scopes),
    )
    with transaction.atomic():
        recompute_request(scopes=scopes)
    return len(scopes)


@shared_task(name="metrics.tasks.recompute_requests_drain")
def recompute_requests_drain() -> int:
    """Hand the broker the recompute requests it never took or may have lost; returns how many."""
    return recompute_enqueue(resend_after=RESEND_AFTER)


@shared_task(name=IMPORT_JOB_TASK, acks_late=True, reject_on_worker_lost=True)
def import_job_run(job_id: int) -> str:
    """Import a stored upload (metrics.imports.jobs); returns the job's status. Acknowledged
    only once done, so a worker that dies mid-import hands the job to another."""
    return import_job_execute(job_id)


@shared_task(name="metrics.tasks.import_jobs_sweep")
def import_jobs_sweep_task() -> dict:
    """Send again the import jobs the broker lost, and run again (or fail) the ones whose
    worker stopped."""
    found = import_jobs_sweep()
    return {"resent": found.resent, "failed": found.failed}
