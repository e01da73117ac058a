"""Workers down for three nights: one recompute when they return, a watchdog when the newest
snapshot is too old, and /healthz saying so."""

import datetime as dt
import time

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from metrics.models import ScopeRecompute, Snapshot
from metrics.outbox import snapshots_stale
from metrics.tasks import snapshots_recompute_all, snapshots_watchdog
from places.models import System
from tests.places.dashboard_data import build_dashboards

NIGHTLY = settings.CELERY_BEAT_SCHEDULE["snapshots-recompute-all-nightly"]


def age_snapshots(hours: float) -> None:
    """Make every snapshot and completed build look ``hours`` old."""
    then = timezone.now() - dt.timedelta(hours=hours)
    Snapshot.objects.update(published_at=then, started_at=then)
    ScopeRecompute.objects.update(completed_at=then)


@pytest.mark.worker
def test_three_missed_nights_run_one_recompute_when_the_workers_return(celery_workers):
    call_command("load_cw_ics", verbosity=0)
    call_command("generate_synthetic", verbosity=0)
    now = timezone.now()
    # What beat sent at 02:30 on each of the three nights while no worker consumed them.
    for nights_ago in (2, 1, 0):
        sent = now - dt.timedelta(days=nights_ago, minutes=5)
        snapshots_recompute_all.apply_async(
            expires=sent + dt.timedelta(seconds=NIGHTLY["options"]["expires"])
        )
    worker = celery_workers.start()
    deadline = time.monotonic() + 60
    while Snapshot.objects.filter(status="published").count() < 5:
        assert time.monotonic() < deadline, "the recompute did not run"
        time.sleep(0.2)
    time.sleep(2)  # anything else queued would have run by now
    lines = [
        line
        for line in celery_workers.log(worker).splitlines()
        if "metrics.tasks.snapshots_recompute_all[" in line
    ]
    assert sum("received" in line for line in lines) == 3, lines
    # The two older nights' messages had expired: discarded unrun. The newest ran, once.
    assert sum("Discarding revoked task" in line for line in lines) == 2, lines
    assert sum("succeeded" in line for line in lines) == 1, lines
    assert Snapshot.objects.filter(status="published").count() == 5  # one per scope
    assert worker.poll() is None


def test_a_recompute_repeated_on_the_same_data_publishes_nothing_new(db):
    """Idempotency behind the expiry: if two nights' messages did both run, the second run
    finds the digest unchanged and publishes no second snapshot."""
    build_dashboards()
    first = set(Snapshot.objects.filter(status="published").values_list("pk", flat=True))
    for _night in range(3):
        assert snapshots_recompute_all.delay().get() >= 1
    assert set(Snapshot.objects.filter(status="published").values_list("pk", flat=True)) == first


def test_the_watchdog_recomputes_when_the_newest_snapshot_is_too_old(
    db, client, django_capture_on_commit_callbacks
):
    build_dashboards()
    assert snapshots_watchdog.delay().get() == 0  # fresh: nothing to do
    age_snapshots(hours=27)
    assert snapshots_stale()
    body = client.get("/healthz").json()
    assert body["snapshot_stale"] is True and body["snapshot_age_seconds"] > 26 * 3600

    with django_capture_on_commit_callbacks(execute=True):
        asked = snapshots_watchdog.delay().get()

    assert asked == 5
    # In-process here, so the builds ran; the data did not change, so they confirmed the
    # existing snapshots rather than publish copies, and that counts as fresh.
    assert Snapshot.objects.filter(status="published").count() == 5
    assert not ScopeRecompute.objects.filter(requested_at__isnull=False).exists()
    recent = timezone.now() - dt.timedelta(minutes=1)
    assert ScopeRecompute.objects.filter(completed_at__gte=recent).count() == 5
    body = client.get("/healthz").json()
    assert body["snapshot_stale"] is False and body["snapshot_age_seconds"] < 60
    assert body["recompute_pending"] == 0
    assert snapshots_watchdog.delay().get() == 0


def test_healthz_counts_waiting_requests_and_calls_26_hours_stale(db, client):
    build_dashboards()
    age_snapshots(hours=25)
    assert client.get("/healthz").json()["snapshot_stale"] is False
    age_snapshots(hours=26.1)
    assert client.get("/healthz").json()["snapshot_stale"] is True
    system = System.objects.get()
    ScopeRecompute.objects.create(
        system=system,
        scope_key=f"system:{system.pk}",
        requested_at=timezone.now() - dt.timedelta(minutes=10),
    )
    body = client.get("/healthz").json()
    assert body["recompute_pending"] == 1
    assert 590 <= body["recompute_waiting_seconds"] <= 700


def test_watchdog_and_drain_are_in_the_beat_schedule():
    watchdog = settings.CELERY_BEAT_SCHEDULE["snapshots-watchdog"]
    assert watchdog["task"] == "metrics.tasks.snapshots_watchdog"
    assert watchdog["schedule"] == crontab(minute="*/30")
    # Expires before the next one is sent: a long outage leaves one, not dozens.
    assert 0 < watchdog["options"]["expires"] < 30 * 60
    drain = settings.CELERY_BEAT_SCHEDULE["recompute-requests-drain"]
    assert drain["task"] == "metrics.tasks.recompute_requests_drain"
    assert drain["options"]["expires"] < drain["schedule"]
    assert settings.SNAPSHOT_MAX_AGE == dt.timedelta(hours=26)
    assert NIGHTLY["options"]["expires"] < 24 * 3600
