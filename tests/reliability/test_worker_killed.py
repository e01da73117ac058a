"""A worker killed in the middle of an upload's recompute: readers keep the previous snapshot,
the request stays in the database, and the recompute completes once when a worker returns.

(tests/metrics/test_snapshot_worker.py kills a worker during a nightly build; this is the
same failure for the recompute an upload asks for, through the outbox.)
"""

import signal
import time

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection, transaction

from metrics.models import ScopeRecompute, Snapshot
from metrics.outbox import recompute_request
from metrics.snapshots import latest_snapshot
from places.models import Place, System
from tests.backends import postgresql_only

pytestmark = [pytest.mark.worker, postgresql_only("stalls the build with a PostgreSQL table lock")]


def wait_until(condition, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_a_killed_recompute_is_finished_once_by_the_next_worker(celery_workers):
    call_command("load_cw_ics", verbosity=0)
    call_command("generate_synthetic", verbosity=0)
    call_command("recompute_snapshots", verbosity=0)
    system = System.objects.get()
    rugby = Place.objects.get(slug="rugby")
    key = f"place:{rugby.pk}"
    previous = latest_snapshot(system_id=system.pk, place_id=rugby.pk)
    s = connection.settings_dict
    blocker = psycopg2.connect(
        dbname=s["NAME"], user=s["USER"], host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432
    )
    # The build stalls where it writes its summaries, so the kill lands mid-build.
    blocker.cursor().execute("BEGIN; LOCK TABLE metrics_seriessummary IN ACCESS EXCLUSIVE MODE")
    try:
        worker = celery_workers.start()
        with transaction.atomic():
            rugby.series.get().observations.update(value=2.0)
            recompute_request(scopes=[(system.pk, rugby.pk)])
        wait_until(
            lambda: Snapshot.objects.filter(scope_key=key, status="building").exists(),
            what="the build to start",
        )
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        blocker.rollback()
        blocker.close()

    assert latest_snapshot(system_id=system.pk, place_id=rugby.pk) == previous
    assert previous.summaries.count() == 1
    assert ScopeRecompute.objects.get(scope_key=key).requested_at is not None

    if celery_workers.redelivers:
        time.sleep(celery_workers.VISIBILITY_TIMEOUT + 1)
        celery_workers.start()  # restores the dead worker's unacknowledged message
    else:
        # No acknowledgements to redeliver by: the beat's drain resends what is pending.
        celery_workers.start()
        from metrics.outbox import recompute_enqueue

        recompute_enqueue(scope_keys=[key])
    wait_until(
        lambda: ScopeRecompute.objects.get(scope_key=key).requested_at is None,
        what="the request to be completed",
    )
    time.sleep(1.0)
    published = Snapshot.objects.filter(scope_key=key, status="published")
    assert published.count() == 2  # the previous one and exactly one new one
    assert not Snapshot.objects.filter(scope_key=key, status="building").exists()
    newest = latest_snapshot(system_id=system.pk, place_id=rugby.pk)
    assert newest.summaries.get().points["recent"]["values"][-1] == 2.0
