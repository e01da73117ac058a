"""Celery tasks: thin wrappers that take ids and call the snapshot services."""

import logging

from celery import group, shared_task
from django.db import OperationalError

from places.models import System

from .snapshots import SnapshotBusy, snapshot_build

logger = logging.getLogger(__name__)


@shared_task(
    name="metrics.tasks.snapshot_recompute_scope",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def snapshot_recompute_scope(system_id: int, place_id: int | None = None) -> dict:
    """Build and publish the snapshot of one scope: a Place, or the system when place_id is None."""
    try:
        snapshot = snapshot_build(system_id=system_id, place_id=place_id)
    except SnapshotBusy:
        # Another worker is building this scope from the same data; it will publish.
        logger.info("snapshot of system %s place %s already building", system_id, place_id)
        return {"system": system_id, "place": place_id, "snapshot": None, "busy": True}
    return {"system": system_id, "place": place_id, "snapshot": snapshot.pk, "busy": False}


@shared_task(name="metrics.tasks.snapshots_recompute_all", acks_late=True)
def snapshots_recompute_all() -> int:
    """Fan out one task per Place and one per system, as a group; returns the number of tasks."""
    signatures = []
    for system in System.objects.prefetch_related("places").order_by("pk"):
        signatures += [
            snapshot_recompute_scope.s(system.pk, place.pk) for place in system.places.all()
        ]
        signatures.append(snapshot_recompute_scope.s(system.pk, None))
    if signatures:
        group(signatures).apply_async()
    return len(signatures)
