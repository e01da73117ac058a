"""Building a scope's snapshot: under the scope's lock, compute its summaries and write them,
then publish; a failed build leaves the previous snapshot published."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ..choices import SnapshotStatus
from ..models import SeriesSummary, Snapshot
from .publish import snapshot_publish
from .reading import read_scope
from .scopes import scope_key, scope_series, series_columns
from .summaries import SUMMARY_COLUMNS, SummaryRows, compute_summaries, summaries_digest

logger = logging.getLogger(__name__)

STALE_BUILD = dt.timedelta(hours=2)  # a build row older than this without its lock is dead


class SnapshotBusy(Exception):
    """Another process is building a snapshot of this scope."""


def _copy_summaries(snapshot: Snapshot, summaries: SummaryRows) -> None:
    """Write the rows with one COPY (PostgreSQL)."""
    buffer = io.StringIO(summaries.copy_text(snapshot.pk))
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {SeriesSummary._meta.db_table} ({', '.join(SUMMARY_COLUMNS)}) FROM STDIN",
            buffer,
        )


def _create_summaries(snapshot: Snapshot, summaries: SummaryRows) -> None:
    """Write the rows through the ORM (any database)."""
    SeriesSummary.objects.bulk_create(summaries.instances(snapshot), batch_size=2000)


def _write_summaries(snapshot: Snapshot, summaries: SummaryRows) -> None:
    if connection.vendor == "postgresql":
        _copy_summaries(snapshot, summaries)
    else:
        _create_summaries(snapshot, summaries)


# -- the lock ------------------------------------------------------------------------------------


@contextmanager
def scope_lock(key: str) -> Iterator[bool]:
    """Hold the scope's build lock for the block; yields False when another process holds it.

    On PostgreSQL a session advisory lock, which the server releases if the holder dies; the
    partial unique index on building snapshots guards every database.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_id])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])


def _clear_dead_builds(key: str) -> None:
    """Mark as failed the build rows of a scope whose builder died (it no longer holds the lock)."""
    dead = Snapshot.objects.filter(scope_key=key, status=SnapshotStatus.BUILDING)
    if connection.vendor != "postgresql":
        # Without advisory locks a build row only counts as dead once it is old.
        dead = dead.filter(started_at__lt=timezone.now() - STALE_BUILD)
    dead_ids = list(dead.values_list("pk", flat=True))
    for pk in dead_ids:
        logger.warning("snapshot %s of %s was left building; marking it failed", pk, key)
    if dead_ids:
        Snapshot.objects.filter(pk__in=dead_ids).update(
            status=SnapshotStatus.FAILED, error="The build stopped before publishing."
        )


# -- the service ---------------------------------------------------------------------------------


def latest_snapshot(*, system_id: int, place_id: int | None = None) -> Snapshot | None:
    """The newest published snapshot of a scope."""
    return (
        Snapshot.objects.filter(
            scope_key=scope_key(system_id=system_id, place_id=place_id),
            status=SnapshotStatus.PUBLISHED,
        )
        .order_by("-published_at", "-id")
        .first()
    )


def snapshot_build(*, system_id: int, place_id: int | None = None) -> Snapshot:
    """Compute every series of the scope and publish a snapshot of them.

    Returns the latest published snapshot: a new one, or the previous one when the data have
    not changed (re-running on unchanged data gives the identical snapshot). Raises
    SnapshotBusy when another process is building this scope. If the build fails or the
    process dies, the previous snapshot stays the published one.
    """
    key = scope_key(system_id=system_id, place_id=place_id)
    with scope_lock(key) as acquired:
        if not acquired:
            raise SnapshotBusy(key)
        _clear_dead_builds(key)
        try:
            with transaction.atomic():
                snapshot = Snapshot.objects.create(
                    system_id=system_id,
                    place_id=place_id,
                    scope_key=key,
                    status=SnapshotStatus.BUILDING,
                    started_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise SnapshotBusy(key) from exc
        try:
            series = series_columns(scope_series(system_id=system_id, place_id=place_id))
            summaries = compute_summaries(series, read_scope(series))
            digest = summaries_digest(summaries)
            previous = latest_snapshot(system_id=system_id, place_id=place_id)
            if previous is not None and previous.input_digest == digest:
                snapshot.delete()
                return previous
            with transaction.atomic():
                _write_summaries(snapshot, summaries)
            return snapshot_publish(snapshot=snapshot, series_count=len(summaries), digest=digest)
        except BaseException as exc:
            Snapshot.objects.filter(pk=snapshot.pk).update(
                status=SnapshotStatus.FAILED, error=repr(exc)[:2000]
            )
            raise
