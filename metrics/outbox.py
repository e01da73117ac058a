"""Recompute requests that survive the broker being down: an outbox in the database.

An upload asks for its scopes to be recomputed in the same transaction as its rows
(``recompute_request``), so the request is committed exactly when the data are. Once the
transaction commits the request is handed to the broker; if the broker cannot take it the
request waits in the database and ``recompute_enqueue`` hands it over later (the beat's drain,
or the next build that completes). A request is cleared only by a build that started after the
request was committed, so none is lost and a request made during a build is kept for the next.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from places.models import System

from .carrying import carries_refresh
from .choices import SnapshotStatus
from .models import ScopeRecompute, Snapshot
from .snapshots import scope_key, scopes_of_series, snapshot_build

logger = logging.getLogger(__name__)

# A request handed to the broker this long ago and still pending is handed over again: its
# message may have been lost (a broker restarted without persistence keeps no queue).
RESEND_AFTER = dt.timedelta(minutes=15)
# The web process waits at most about this long for the broker before leaving a request in
# the outbox; with a broker at a closed port it is refused at once (one attempt, no retries).
ENQUEUE_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 0}

Scope = tuple[int, int | None]
# The task that builds one scope (metrics.tasks), enqueued by name: services never import tasks.
RECOMPUTE_SCOPE_TASK = "metrics.tasks.snapshot_recompute_scope"


def all_scopes() -> list[Scope]:
    """Every (system id, Place id or None) scope, each Place before its system."""
    scopes: list[Scope] = []
    for system in System.objects.prefetch_related("places").order_by("pk"):
        scopes += [(system.pk, place.pk) for place in system.places.all()]
        scopes.append((system.pk, None))
    return scopes


def recompute_request(*, scopes: Iterable[Scope]) -> None:
    """Record, in the current transaction, that these scopes need a recompute; once it commits,
    hand them to the broker (those it cannot take wait for ``recompute_enqueue``)."""
    now = timezone.now()
    rows = [
        ScopeRecompute(
            system_id=system_id,
            place_id=place_id,
            scope_key=scope_key(system_id=system_id, place_id=place_id),
            requested_at=now,
        )
        for system_id, place_id in sorted(set(scopes), key=lambda s: (s[0], s[1] or 0))
    ]
    if not rows:
        return
    # A fresh requested_at tells a build already running that it does not cover this request.
    ScopeRecompute.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["scope_key"],
        update_fields=["requested_at"],
    )
    keys = [row.scope_key for row in rows]
    transaction.on_commit(lambda: recompute_enqueue(scope_keys=keys))


def recompute_after_commit(*, series_ids: Iterable[int]) -> None:
    """Recompute the snapshots that show these series: the request is committed with the
    current transaction and survives the broker being down. The series carried from these
    (a successor's, before a merger) are brought up to date with them first, in the same
    transaction, and recomputed too: every writer of observations comes here."""
    series_ids = list(series_ids)
    carried = carries_refresh(series_ids=series_ids)
    recompute_request(scopes=scopes_of_series([*series_ids, *carried]))


def recompute_enqueue(
    *, scope_keys: Iterable[str] | None = None, resend_after: dt.timedelta | None = None
) -> int:
    """Hand pending requests to the broker and return how many it took.

    With ``scope_keys``, those scopes' pending requests; otherwise every pending request never
    handed over, or handed over longer ago than ``resend_after``. If the broker is unavailable
    the requests stay pending and unsent, and this returns quickly.
    """
    pending = ScopeRecompute.objects.filter(requested_at__isnull=False)
    if scope_keys is not None:
        pending = pending.filter(scope_key__in=list(scope_keys))
    elif resend_after is not None:
        pending = pending.filter(
            Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=timezone.now() - resend_after)
        )
    else:
        pending = pending.filter(enqueued_at__isnull=True)
    rows = list(pending.order_by("requested_at", "pk").values_list("pk", "system_id", "place_id"))
    if not rows:
        return 0
    if current_app.conf.task_always_eager:
        # In-process (development and tests): each build runs here and clears its request.
        for _pk, system_id, place_id in rows:
            _recompute_scope(system_id, place_id).apply_async()
        return len(rows)
    sent = 0
    try:
        with current_app.connection_for_write(
            connect_timeout=1, transport_options=ENQUEUE_TRANSPORT_OPTIONS
        ) as conn:
            for pk, system_id, place_id in rows:
                _recompute_scope(system_id, place_id).apply_async(
                    connection=conn,
                    # The web process never reads the result: do not wait on the result store.
                    ignore_result=True,
                    retry=False,
                )
                ScopeRecompute.objects.filter(pk=pk).update(enqueued_at=timezone.now())
                sent += 1
    except Exception as exc:  # noqa: BLE001 - any broker failure leaves the request pending
        # Unsent: the next drain hands them over, however recently an earlier request was sent.
        unsent = [pk for pk, _system_id, _place_id in rows[sent:]]
        ScopeRecompute.objects.filter(pk__in=unsent).update(enqueued_at=None)
        logger.warning(
            "Broker unavailable (%s: %s); %d recompute request(s) wait in the database",
            type(exc).__name__,
            exc,
            len(rows) - sent,
        )
    return sent


def _recompute_scope(system_id: int, place_id: int | None):
    """The task that builds the scope, as a signature by name (the app registers the task)."""
    return current_app.signature(RECOMPUTE_SCOPE_TASK, args=(system_id, place_id))


def scope_recompute(*, system_id: int, place_id: int | None = None) -> Snapshot:
    """Build and publish the scope's snapshot (see ``snapshot_build``), then clear the requests
    the build covers and record that the scope was recomputed. Raises SnapshotBusy."""
    key = scope_key(system_id=system_id, place_id=place_id)
    # Read before the build reads the data: a request committed by now has its rows committed.
    covered = (
        ScopeRecompute.objects.filter(scope_key=key, requested_at__isnull=False)
        .values_list("requested_at", flat=True)
        .first()
    )
    snapshot = snapshot_build(system_id=system_id, place_id=place_id)
    now = timezone.now()
    if covered is not None:
        ScopeRecompute.objects.filter(scope_key=key, requested_at=covered).update(
            requested_at=None, enqueued_at=None
        )
    ScopeRecompute.objects.bulk_create(
        [ScopeRecompute(system_id=system_id, place_id=place_id, scope_key=key, completed_at=now)],
        update_conflicts=True,
        unique_fields=["scope_key"],
        update_fields=["completed_at"],
    )
    return snapshot


def snapshots_checked_at() -> dt.datetime | None:
    """When the newest snapshot was published or last confirmed unchanged by a build."""
    published = (
        Snapshot.objects.filter(status=SnapshotStatus.PUBLISHED)
        .order_by("-published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    completed = ScopeRecompute.objects.aggregate(newest=Max("completed_at"))["newest"]
    times = [t for t in (published, completed) if t is not None]
    return max(times) if times else None


def snapshots_stale(*, now: dt.datetime | None = None) -> bool:
    """Whether no snapshot has been published or confirmed within SNAPSHOT_MAX_AGE."""
    checked = snapshots_checked_at()
    now = now or timezone.now()
    return checked is None or now - checked > settings.SNAPSHOT_MAX_AGE


def pending_requests() -> tuple[int, dt.datetime | None]:
    """How many recompute requests are pending, and when the oldest was made."""
    found = ScopeRecompute.objects.filter(requested_at__isnull=False).aggregate(
        count=Count("pk"), oldest=Min("requested_at")
    )
    return found["count"], found["oldest"]
