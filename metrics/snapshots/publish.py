"""Publishing a built snapshot in one short transaction; ``snapshot_published`` after it commits."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..choices import SnapshotStatus
from ..models import Snapshot
from ..signals import snapshot_published

KEEP_PUBLISHED = 3  # published snapshots kept per scope; older ones are deleted
KEEP_FAILED = dt.timedelta(days=7)


@transaction.atomic
def snapshot_publish(*, snapshot: Snapshot, series_count: int, digest: str) -> Snapshot:
    """Make a built snapshot the scope's published one and drop the oldest published ones."""
    snapshot.status = SnapshotStatus.PUBLISHED
    snapshot.published_at = timezone.now()
    snapshot.series_count = series_count
    snapshot.input_digest = digest
    snapshot.save(update_fields=["status", "published_at", "series_count", "input_digest"])
    # Failed builds stay a while for diagnosis (their summaries are never shown).
    candidates = list(
        Snapshot.objects.filter(scope_key=snapshot.scope_key)
        .filter(
            Q(status=SnapshotStatus.PUBLISHED)
            | Q(status=SnapshotStatus.FAILED, started_at__lt=timezone.now() - KEEP_FAILED)
        )
        .order_by(F("published_at").desc(nulls_last=True), "-id")
        .values_list("pk", "status")
    )
    published = [pk for pk, status in candidates if status == SnapshotStatus.PUBLISHED]
    prune = published[KEEP_PUBLISHED:] + [
        pk for pk, status in candidates if status == SnapshotStatus.FAILED
    ]
    if prune:
        # SeriesSummary has no delete signals or dependants, so the cascade is one set-based
        # DELETE of the pruned snapshots' summaries; no summary row is loaded.
        Snapshot.objects.filter(pk__in=prune).delete()
    # Receivers (page warming) run after the commit, so they see the new snapshot; send_robust
    # logs a receiver's failure (a broker that cannot take a task) instead of failing the build.
    transaction.on_commit(
        partial(
            snapshot_published.send_robust,
            sender=Snapshot,
            system_id=snapshot.system_id,
            place_id=snapshot.place_id,
        )
    )
    return snapshot
