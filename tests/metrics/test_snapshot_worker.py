"""The nightly recompute through real worker processes and the broker (Redis in CI)."""

import signal
import sqlite3
import time

import pytest
from django.core.management import call_command
from django.db import connection

from metrics.models import Snapshot
from metrics.snapshots import latest_snapshot
from metrics.tasks import snapshot_recompute_scope, snapshots_recompute_all
from places.models import Place, System

pytestmark = pytest.mark.worker


def wait_until(condition, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def loaded(transactional_db):
    # The transactional database starts empty; the worker reads what is committed here.
    call_command("load_cw_ics", verbosity=0)
    call_command("generate_synthetic", verbosity=0)
    return System.objects.get()


def test_a_real_worker_publishes_exactly_one_snapshot_per_place(loaded, celery_workers):
    worker = celery_workers.start()
    # Five scopes of a few hundred series between them: one task of at least 1,000 series.
    assert snapshots_recompute_all.delay().get(timeout=60) == 1
    wait_until(
        lambda: Snapshot.objects.filter(status="published").count() == 5,
        what="five published snapshots",
    )
    time.sleep(0.5)  # nothing else arrives
    published = Snapshot.objects.filter(status="published")
    assert published.count() == 5
    assert sorted(published.values_list("scope_key", flat=True)) == sorted(
        [f"place:{p.pk}" for p in loaded.places.all()] + [f"system:{loaded.pk}"]
    )
    assert not Snapshot.objects.filter(status="building").exists()
    assert worker.poll() is None


class DatabaseBlock:
    """Hold a lock that makes a build stall where it writes, from a connection of our own."""

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
                "BEGIN; LOCK TABLE metrics_seriessummary IN ACCESS EXCLUSIVE MODE"
            )
        else:
            self.conn = sqlite3.connect(s["NAME"], isolation_level=None)
            self.conn.execute("BEGIN EXCLUSIVE")
        return self

    def __exit__(self, *exc):
        self.conn.rollback() if connection.vendor == "postgresql" else self.conn.execute("ROLLBACK")
        self.conn.close()


def test_a_worker_killed_mid_build_leaves_the_previous_snapshot_and_the_build_completes_once(
    loaded, celery_workers
):
    rugby = Place.objects.get(slug="rugby")
    call_command("recompute_snapshots", verbosity=0)
    previous = latest_snapshot(system_id=loaded.pk, place_id=rugby.pk)
    # New data, so the next build must publish a new snapshot.
    rugby.series.get().observations.update(value=1.0)

    with DatabaseBlock():
        worker = celery_workers.start()
        snapshot_recompute_scope.delay(loaded.pk, rugby.pk)
        celery_workers.wait_for(worker, "snapshot_recompute_scope[")
        if connection.vendor == "postgresql":
            wait_until(
                lambda: Snapshot.objects.filter(
                    scope_key=f"place:{rugby.pk}", status="building"
                ).exists(),
                what="the build to start",
            )
        time.sleep(0.5)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)

    # Readers still get the previous snapshot, and nothing of the dead build is published.
    assert latest_snapshot(system_id=loaded.pk, place_id=rugby.pk) == previous
    assert Snapshot.objects.filter(scope_key=f"place:{rugby.pk}", status="published").count() == 1
    assert previous.summaries.count() == 1

    if celery_workers.redelivers:
        # A worker starting restores unacknowledged messages older than the visibility timeout.
        time.sleep(celery_workers.VISIBILITY_TIMEOUT + 1)
    celery_workers.start()
    if not celery_workers.redelivers:
        # The filesystem broker has no acknowledgements to redeliver by: send it again, as the
        # next night's run would.
        snapshot_recompute_scope.delay(loaded.pk, rugby.pk)
    wait_until(
        lambda: latest_snapshot(system_id=loaded.pk, place_id=rugby.pk) != previous,
        timeout=60,
        what="the recompute to complete after the worker returned",
    )
    time.sleep(1.0)
    published = Snapshot.objects.filter(scope_key=f"place:{rugby.pk}", status="published")
    assert published.count() == 2  # the previous one and exactly one new one
    assert not Snapshot.objects.filter(scope_key=f"place:{rugby.pk}", status="building").exists()
    newest = latest_snapshot(system_id=loaded.pk, place_id=rugby.pk)
    assert newest.summaries.get().points["recent"]["values"][-1] == 1.0
