"""Snapshots: built under 'building', published atomically, one builder per scope, idempotent."""

import datetime as dt
from unittest import mock

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import connection
from django.utils import timezone

from metrics import snapshots
from metrics.models import Observation, Series, SeriesSummary, Snapshot, Target
from metrics.snapshots import SnapshotBusy, latest_snapshot, recompute_after_commit, snapshot_build
from metrics.synthetic import synthetic_generate
from metrics.tasks import snapshots_recompute_all
from places.models import Place, System
from tests.factories import MetricFactory, SeriesFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def system():
    return System.objects.get()


@pytest.fixture
def rugby():
    return Place.objects.get(slug="rugby")


def monthly_series(place, values, *, polarity="higher_is_better", targets=()):
    series = SeriesFactory(metric=MetricFactory(polarity=polarity), place=place)
    for i, v in enumerate(values):
        y, m = divmod(3 + i, 12)
        start = dt.date(2018 + y, m + 1, 1)
        Observation.objects.create(
            series=series, period_start=start, period_end=start, value=v, provenance="upload"
        )
    for start, end, value, label in targets:
        Target.objects.create(
            series=series, period_start=start, period_end=end, value=value, period_label=label
        )
    return series


def test_documented_reablement_is_green_against_its_2018_19_target(system):
    snap = snapshot_build(system_id=system.pk)
    summary = snap.summaries.get(series__metric__code="bcf-reablement")
    assert summary.latest_value == 96.8
    assert summary.target_value == 89.0  # the target in force for 2018/19, not 2019/20's 90
    assert summary.target_period_label == "2018/19"
    assert summary.rag == "green"
    assert summary.provenance == "documented"
    assert summary.provisional is True  # one point


def test_a_place_snapshot_summarises_its_series(system, rugby):
    values = [10, 11, 9, 10, 12, 11, 10, 9, 11, 10, 12, 11, 13, 14, 15, 16, 17, 18, 19]
    series = monthly_series(
        rugby,
        values,
        targets=[(dt.date(2019, 4, 1), dt.date(2020, 3, 31), 15.0, "2019/20")],
    )
    snap = snapshot_build(system_id=system.pk, place_id=rugby.pk)
    assert snap.status == "published" and snap.place == rugby
    summary = snap.summaries.get(series=series)
    assert summary.latest_value == 19 and summary.latest_period == dt.date(2019, 10, 1)
    assert summary.target_value == 15.0 and summary.rag == "green"
    assert summary.point_count == len(values) and summary.provisional is False
    assert summary.variation == "improvement_high"
    assert len(summary.points["types"]) == len(values)
    assert summary.points["types"][-7:] == "IIIIIII"  # the seven-point rising trend
    assert summary.points["recent"]["values"][-1] == 19
    assert summary.provenance == "uploaded"


def test_rebased_series_are_analysed_per_segment(system, rugby):
    values = [10, 11, 9, 10, 11, 10, 30, 31, 29, 30, 31, 30]
    series = monthly_series(rugby, values)
    series.rebase_periods = ["2018-10-01"]
    series.save(update_fields=["rebase_periods"])
    summary = snapshot_build(system_id=system.pk, place_id=rugby.pk).summaries.get(series=series)
    segments = summary.points["segments"]
    assert [s[0] for s in segments] == [0, 6]
    assert segments[0][1] == pytest.approx(10.1666, abs=1e-3)
    assert summary.mean == pytest.approx(30.1666, abs=1e-3)


def test_rerunning_on_unchanged_data_gives_the_identical_snapshot(system, rugby):
    monthly_series(rugby, [1, 2, 3, 4, 5])
    first = snapshot_build(system_id=system.pk, place_id=rugby.pk)
    second = snapshot_build(system_id=system.pk, place_id=rugby.pk)
    assert second.pk == first.pk
    assert Snapshot.objects.filter(scope_key=first.scope_key).count() == 1


def test_changed_data_publishes_a_new_snapshot_and_readers_see_only_the_latest(system, rugby):
    series = monthly_series(rugby, [1, 2, 3, 4, 5])
    first = snapshot_build(system_id=system.pk, place_id=rugby.pk)
    Observation.objects.filter(series=series).update(value=7)
    second = snapshot_build(system_id=system.pk, place_id=rugby.pk)
    assert second.pk != first.pk
    assert latest_snapshot(system_id=system.pk, place_id=rugby.pk) == second
    assert second.summaries.get(series=series).latest_value == 7


def test_a_failed_build_leaves_the_previous_snapshot_published(system, rugby):
    monthly_series(rugby, [1, 2, 3, 4, 5])
    previous = snapshot_build(system_id=system.pk, place_id=rugby.pk)
    Observation.objects.filter(series__place=rugby).update(value=9)

    real_write = snapshots._write_summaries

    def write_half_then_fail(snapshot, summaries):
        real_write(snapshot, summaries[: len(summaries) // 2])
        raise RuntimeError("disk full")

    with mock.patch.object(snapshots, "_write_summaries", write_half_then_fail):
        with pytest.raises(RuntimeError, match="disk full"):
            snapshot_build(system_id=system.pk, place_id=rugby.pk)

    assert latest_snapshot(system_id=system.pk, place_id=rugby.pk) == previous
    failed = Snapshot.objects.get(scope_key=previous.scope_key, status="failed")
    assert "disk full" in failed.error
    assert not Snapshot.objects.filter(status="building").exists()


def test_two_builds_of_one_scope_cannot_both_run(system, rugby):
    key = f"place:{rugby.pk}"
    if connection.vendor == "postgresql":
        # Another session holds the scope's advisory lock, as a second worker building would.
        import psycopg2

        s = connection.settings_dict
        other = psycopg2.connect(
            dbname=s["NAME"],
            user=s["USER"],
            host=s["HOST"] or "127.0.0.1",
            port=s["PORT"] or 5432,
            password=s["PASSWORD"] or None,
        )
        lock_id = int.from_bytes(
            snapshots.hashlib.sha256(key.encode()).digest()[:8], "big", signed=True
        )
        with other.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", [lock_id])
        try:
            with pytest.raises(SnapshotBusy):
                snapshot_build(system_id=system.pk, place_id=rugby.pk)
        finally:
            other.close()
    else:
        Snapshot.objects.create(
            system=system, place=rugby, scope_key=key, status="building", started_at=timezone.now()
        )
        with pytest.raises(SnapshotBusy):
            snapshot_build(system_id=system.pk, place_id=rugby.pk)
    assert not Snapshot.objects.filter(scope_key=key, status="published").exists()


def test_a_dead_build_is_cleared_and_the_next_build_publishes(system, rugby):
    key = f"place:{rugby.pk}"
    started = timezone.now() - snapshots.STALE_BUILD - dt.timedelta(minutes=1)
    dead = Snapshot.objects.create(
        system=system, place=rugby, scope_key=key, status="building", started_at=started
    )
    snap = snapshot_build(system_id=system.pk, place_id=rugby.pk)
    assert snap.status == "published"
    dead.refresh_from_db()
    assert dead.status == "failed"


def test_old_published_snapshots_are_pruned(system, rugby):
    series = monthly_series(rugby, [1, 2, 3])
    for value in range(5):
        Observation.objects.filter(series=series).update(value=value)
        snapshot_build(system_id=system.pk, place_id=rugby.pk)
    published = Snapshot.objects.filter(scope_key=f"place:{rugby.pk}", status="published")
    assert published.count() == snapshots.KEEP_PUBLISHED


def test_recompute_all_publishes_one_snapshot_per_place_and_the_system(system):
    tasks = snapshots_recompute_all.delay().get()
    assert tasks == 5
    for place in system.places.all():
        assert latest_snapshot(system_id=system.pk, place_id=place.pk) is not None
    assert (
        latest_snapshot(system_id=system.pk).series_count
        == Series.objects.filter(place__isnull=True).count()
    )


def test_recompute_after_commit_rebuilds_the_affected_place(
    system, rugby, django_capture_on_commit_callbacks
):
    series = monthly_series(rugby, [3, 4, 5])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        recompute_after_commit(series_ids=[series.pk])
    assert len(callbacks) == 1
    snap = latest_snapshot(system_id=system.pk, place_id=rugby.pk)
    assert snap.summaries.filter(series=series).exists()
    assert latest_snapshot(system_id=system.pk) is None  # only the affected scope


def test_nightly_beat_entry():
    entry = settings.CELERY_BEAT_SCHEDULE["snapshots-recompute-all-nightly"]
    assert entry["task"] == "metrics.tasks.snapshots_recompute_all"
    assert entry["schedule"] == crontab(hour=2, minute=30)
    assert settings.CELERY_TIMEZONE == "Europe/London"
    # A message older than a day's gap expires, so missed nights run once, not once each.
    assert 0 < entry["options"]["expires"] < 24 * 3600


def test_recompute_task_is_delivered_reliably():
    from metrics.tasks import snapshot_recompute_scope

    assert snapshot_recompute_scope.acks_late is True
    assert snapshot_recompute_scope.reject_on_worker_lost is True
    assert snapshot_recompute_scope.max_retries >= 3


def test_synthetic_series_are_summarised_as_synthetic(system):
    synthetic_generate(system=system)
    snap = snapshot_build(system_id=system.pk, place_id=Place.objects.get(slug="coventry").pk)
    summary = snap.summaries.get()
    assert summary.provenance == "synthetic" and summary.point_count == 48


def test_healthz_reports_snapshot_age(client, system):
    body = client.get("/healthz").json()
    assert body["snapshot_age_seconds"] is None and body["snapshot_stale"] is True
    snapshot_build(system_id=system.pk)
    body = client.get("/healthz").json()
    assert (
        body
        == {
            "database": "ok",
            "broker": "in-process",
            "snapshot_age_seconds": 0,
            "snapshot_stale": False,
        }
        or body["snapshot_age_seconds"] <= 5
    )


def test_summary_rows_are_only_visible_through_published_snapshots(system, rugby):
    monthly_series(rugby, [1, 2, 3])
    snapshot_build(system_id=system.pk, place_id=rugby.pk)
    visible = SeriesSummary.objects.filter(snapshot__status="published")
    assert visible.count() == SeriesSummary.objects.count()
