"""Snapshots: built under 'building', published atomically, one builder per scope, idempotent."""

import datetime as dt
import math
from unittest import mock

import numpy as np
import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import connection
from django.utils import timezone

from demo.synthetic import synthetic_generate
from metrics import snapshots, spc
from metrics.models import Observation, Series, SeriesSummary, Snapshot, Target
from metrics.outbox import recompute_after_commit
from metrics.snapshots import (
    SnapshotBusy,
    build,
    latest_snapshot,
    rag_rating,
    reading,
    scope_batches,
    scope_series,
    scope_series_counts,
    snapshot_build,
    target_in_force,
)
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
    # Each segment has the 12 points SPC needs (spc.shows_spc).
    values = [10, 11, 9, 10, 11, 10] * 2 + [30, 31, 29, 30, 31, 30] * 2
    series = monthly_series(rugby, values)
    series.rebase_periods = ["2019-04-01"]
    series.save(update_fields=["rebase_periods"])
    summary = snapshot_build(system_id=system.pk, place_id=rugby.pk).summaries.get(series=series)
    segments = summary.points["segments"]
    assert [s[0] for s in segments] == [0, 12]
    assert segments[0][1] == pytest.approx(10.1666, abs=1e-3)
    assert summary.mean == pytest.approx(30.1666, abs=1e-3)


def test_a_rebase_with_too_few_points_after_it_shows_no_spc(system, rugby):
    values = [10, 11, 9, 10, 11, 10, 30, 31, 29, 30, 31, 30]
    series = monthly_series(rugby, values)
    series.rebase_periods = ["2018-10-01"]
    series.save(update_fields=["rebase_periods"])
    summary = snapshot_build(system_id=system.pk, place_id=rugby.pk).summaries.get(series=series)
    assert summary.provisional is True and summary.variation == "" and summary.mean is None
    assert [s[0] for s in summary.points["segments"]] == [0, 6]
    assert summary.points["types"] == "-" * 12


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

    real_write = build._write_summaries

    def write_half_then_fail(snapshot, summaries):
        real_write(snapshot, summaries[: len(summaries) // 2])
        raise RuntimeError("disk full")

    with mock.patch.object(build, "_write_summaries", write_half_then_fail):
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
            build.hashlib.sha256(key.encode()).digest()[:8], "big", signed=True
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
    # The system's few hundred series fit in one task of at least 1,000 series.
    assert settings.SNAPSHOT_TASK_MIN_SERIES == 1000
    tasks = snapshots_recompute_all.delay().get()
    assert tasks == 1
    for place in system.places.all():
        assert latest_snapshot(system_id=system.pk, place_id=place.pk) is not None
    assert (
        latest_snapshot(system_id=system.pk).series_count
        == Series.objects.filter(place__isnull=True).count()
    )


def test_recompute_all_packs_scopes_into_tasks_of_the_minimum_size(system, settings):
    synthetic_generate(system=system, seed=3)
    places = [scope for scope in scope_series_counts() if scope[1] is not None]
    settings.SNAPSHOT_TASK_MIN_SERIES = 1
    assert snapshots_recompute_all.delay().get() == 5
    # A minimum of the two largest Places together: fewer tasks than scopes, none split.
    counts = scope_series_counts()
    settings.SNAPSHOT_TASK_MIN_SERIES = sum(sorted(counts[p] for p in places)[-2:])
    assert 1 < snapshots_recompute_all.delay().get() < 5
    published = Snapshot.objects.filter(status="published")
    assert published.values("scope_key").distinct().count() == 5


def test_scope_series_counts_are_what_each_scope_covers(system):
    counts = scope_series_counts()
    scopes = [(system.pk, place.pk) for place in system.places.all()] + [(system.pk, None)]
    synthetic_generate(system=system, seed=3)
    counts = scope_series_counts()
    assert set(counts) == set(scopes)
    for system_id, place_id in scopes:
        expected = scope_series(system_id=system_id, place_id=place_id).count()
        assert counts[system_id, place_id] == expected > 0


def test_scope_batches_never_split_a_scope_and_reach_the_minimum():
    scopes = [(1, p) for p in range(1, 8)] + [(1, None)]
    counts = {
        (1, p): n for p, n in zip(range(1, 8), [400, 400, 400, 2500, 10, 990, 5], strict=True)
    }
    counts[1, None] = 300
    batches = scope_batches(scopes, counts, min_series=1000)
    assert batches == [
        [(1, 1), (1, 2), (1, 3)],
        [(1, 4)],
        [(1, 5), (1, 6)],
        [(1, 7), (1, None)],
    ]
    assert [s for batch in batches for s in batch] == scopes
    assert all(sum(counts[s] for s in b) >= 1000 for b in batches[:-1])
    assert scope_batches([], counts, min_series=1000) == []
    assert scope_batches(scopes, counts, min_series=1) == [[s] for s in scopes]
    # A scope without series still costs a build: it counts as one.
    assert scope_batches(scopes, {}, min_series=3) == [scopes[0:3], scopes[3:6], scopes[6:]]


def test_recompute_after_commit_rebuilds_the_affected_place(
    system, rugby, django_capture_on_commit_callbacks
):
    series = monthly_series(rugby, [3, 4, 5])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        recompute_after_commit(series_ids=[series.pk])
    # The recompute, and the warming of the Place's page fragments after its publish.
    assert len(callbacks) == 2
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


@pytest.mark.parametrize("name", ["snapshot_recompute_scope", "snapshots_recompute_scopes"])
def test_recompute_tasks_are_delivered_reliably(name):
    from metrics import tasks

    task = getattr(tasks, name)
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert task.max_retries >= 3


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


# -- the column-wise computation against the per-series definition ------------------------------

FY = [
    (dt.date(2018, 4, 1), dt.date(2019, 3, 31), 12.0, "2018/19"),
    (dt.date(2019, 4, 1), dt.date(2020, 3, 31), 15.0, "2019/20"),
]


@pytest.fixture
def varied_place(rugby):
    """Series that exercise every branch of the summary: no points, one point, rebases, mixed
    provenance, overlapping and out-of-force targets, every polarity, unequal lengths."""
    trend = [10, 11, 9, 10, 12, 11, 10, 9, 11, 10, 12, 11, 13, 14, 15, 16, 17, 18, 19]
    monthly_series(rugby, trend, targets=FY)
    monthly_series(rugby, [20.5, 21.25, 19.75, 20.0, 12.5], polarity="lower_is_better", targets=FY)
    monthly_series(rugby, trend[:14], polarity="neutral", targets=FY)
    # Overlapping targets: the first in Target's ordering (by period start) is in force.
    monthly_series(
        rugby,
        [14.1, 14.3, 14.2, 14.0, 14.6, 14.4, 14.5, 14.2, 14.3, 14.1, 14.2, 14.4, 14.3, 14.2],
        targets=[*FY, (dt.date(2019, 1, 1), dt.date(2019, 12, 31), 14.0, "2019")],
    )
    monthly_series(rugby, [7.0], targets=[(dt.date(2017, 4, 1), dt.date(2018, 3, 31), 9, "old")])
    # Missing by exactly the tolerance (5% of 90) is still amber.
    monthly_series(rugby, [88, 85.5], targets=[(dt.date(2018, 4, 1), dt.date(2019, 3, 31), 90, "")])
    SeriesFactory(metric=MetricFactory(), place=rugby)  # no observations
    rebased = monthly_series(
        rugby,
        [10, 11, 9, 10, 11, 10, 30, 31, 29, 30, 31, 30, 29, 31],
        polarity="lower_is_better",
        targets=FY,
    )
    rebased.rebase_periods = ["2018-10-01", "2019-02-01"]
    rebased.save(update_fields=["rebase_periods"])
    mixed = monthly_series(rugby, [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 6, 7, 6, 5, 100])
    Observation.objects.filter(series=mixed, period_start__lt=dt.date(2018, 6, 1)).update(
        provenance="synthetic"
    )
    return rugby


def expected_summary(series: Series) -> dict:
    """A series' summary computed on its own, from the definitions in spc and rag_rating."""
    obs = list(
        series.observations.order_by("period_start").values_list(
            "period_start", "value", "provenance"
        )
    )
    targets = list(
        Target.objects.filter(series=series, value__isnull=False).values_list(
            "period_start", "period_end", "value", "period_label"
        )
    )
    if not obs:
        return dict(
            latest_period=None, latest_value=None, target_value=None, target_period_label="",
            rag="grey", variation="", assurance="", mean=None, lower=None, upper=None,
            point_count=0, provisional=False, provenance="documented", points={},
        )  # fmt: skip
    periods, values = [o[0] for o in obs], [o[1] for o in obs]
    found = target_in_force(targets, periods[-1])
    target = found[2] if found else None
    result = spc.analyse(
        values,
        improvement=snapshots.IMPROVEMENT[series.metric.polarity],
        target=target,
        rebase_at=[
            j for j in range(1, len(obs)) if periods[j].isoformat() in series.rebase_periods
        ],
    )

    def finite(x):
        return None if math.isnan(x) else x

    segments = [
        [i] + [finite(getattr(result, a)[i]) for a in ("mean", "lower", "upper")]
        + [finite(result.lower_two_sigma[i]), finite(result.upper_two_sigma[i])]
        for i in range(len(obs))
        if i == 0 or result.segment[i] != result.segment[i - 1]
    ]  # fmt: skip
    types = "".join(snapshots.TYPE_LETTERS[t] for t in result.point_type)
    variation, assurance = result.variation, result.assurance or ""
    if result.provisional:  # too few points for SPC: values only (spc.shows_spc)
        segments = [[s[0], None, None, None, None, None] for s in segments]
        types, variation, assurance = snapshots.UNCLASSIFIED * len(obs), "", ""
    kinds = {o[2] for o in obs}
    provenance = (
        "mixed"
        if len(kinds) > 1
        else {"document": "documented", "upload": "uploaded", "synthetic": "synthetic"}[kinds.pop()]
    )
    return dict(
        latest_period=periods[-1],
        latest_value=values[-1],
        target_value=target,
        target_period_label=found[3] if found else "",
        rag=rag_rating(
            value=values[-1],
            target=target,
            polarity=series.metric.polarity,
            tolerance=series.metric.tolerance,
        ),
        variation=variation,
        assurance=assurance,
        mean=segments[-1][1],
        lower=segments[-1][2],
        upper=segments[-1][3],
        point_count=len(obs),
        provisional=result.provisional,
        provenance=provenance,
        points={
            "types": types,
            "segments": segments,
            "recent": {
                "periods": [p.isoformat() for p in periods[-snapshots.RECENT_POINTS :]],
                "values": values[-snapshots.RECENT_POINTS :],
            },
        },
    )


FIELDS = [c for c in snapshots.SUMMARY_COLUMNS if c not in ("snapshot_id", "series_id")]


def test_every_summary_equals_its_series_computed_on_its_own(system, varied_place):
    snap = snapshot_build(system_id=system.pk, place_id=varied_place.pk)
    summaries = {s["series_id"]: s for s in snap.summaries.values("series_id", *FIELDS)}
    series = list(Series.objects.filter(place=varied_place).select_related("metric"))
    assert len(summaries) == len(series) == 9
    for s in series:
        got = {f: summaries[s.pk][f] for f in FIELDS}
        assert got == expected_summary(s), s
    assert {summaries[s.pk]["rag"] for s in series} == {"green", "amber", "red", "grey"}


def test_the_copy_path_and_the_portable_path_give_identical_summaries(system, varied_place):
    """On PostgreSQL the build reads and writes by COPY; it must match the ORM path exactly.
    (On other databases only the ORM path exists, and it is compared with a direct read.)"""
    on_postgresql = connection.vendor == "postgresql"
    series = snapshots.series_columns(Series.objects.filter(place=varied_place))
    portable = reading._read_portable(series.queryset)
    direct = list(
        Observation.objects.filter(series__place=varied_place)
        .order_by("series_id", "period_start")
        .values_list("series_id", "value")
    )
    assert list(zip(portable.series_ids.tolist(), portable.values.tolist(), strict=True)) == direct
    copied = reading._read_postgresql(series.ids) if on_postgresql else portable
    for name in ("series_ids", "periods", "values", "provenance"):
        np.testing.assert_array_equal(getattr(copied, name), getattr(portable, name))
    rows = snapshots.compute_summaries(series, copied)
    assert rows.digest() == snapshots.compute_summaries(series, portable).digest()

    def written(write) -> list[dict]:
        snap = Snapshot.objects.create(
            system=system, place=varied_place, scope_key=f"probe:{write.__name__}",
            status="failed", started_at=timezone.now(),
        )  # fmt: skip
        write(snap, rows)
        return list(snap.summaries.order_by("series_id").values("series_id", *FIELDS))

    by_orm = written(build._create_summaries)
    assert len(by_orm) == len(series)
    if on_postgresql:
        assert written(build._copy_summaries) == by_orm


def test_the_digest_changes_with_any_field_of_any_row(system, varied_place):
    series = snapshots.series_columns(Series.objects.filter(place=varied_place))
    rows = snapshots.compute_summaries(series, snapshots.read_scope(series))
    digest = rows.digest()
    assert snapshots.compute_summaries(series, snapshots.read_scope(series)).digest() == digest

    def other_than(value):
        if isinstance(value, str):
            return value + "x"
        if isinstance(value, np.bool_):
            return not value
        if isinstance(value, np.datetime64):
            return np.datetime64("2001-01-01") if np.isnat(value) else value + 1
        return 0.5 if np.isnan(value) else value + 1

    for name in ("series_id", *FIELDS):
        column = getattr(rows, name)
        column = column.copy() if isinstance(column, np.ndarray) else list(column)
        column[-1] = other_than(column[-1])
        changed = snapshots.SummaryRows(**{**vars(rows), name: column})
        assert changed.digest() != digest, name


def test_observations_read_out_of_order_are_sorted_by_series_and_period():
    ids = np.array([7, 3, 7, 3, 5], dtype=np.int64)
    periods = np.array([40, 10, 20, 30, 0], dtype=np.int32)
    data = reading._sorted(
        snapshots.ScopeData(ids, periods, np.arange(5.0), np.zeros(5, dtype=np.int8))
    )
    assert data.series_ids.tolist() == [3, 3, 5, 7, 7]
    assert data.periods.tolist() == [10, 30, 0, 20, 40]
    assert data.values.tolist() == [1.0, 3.0, 4.0, 2.0, 0.0]


def test_publishing_prunes_old_failed_builds_and_the_summaries_of_pruned_snapshots(system, rugby):
    series = monthly_series(rugby, [1, 2, 3])
    key = f"place:{rugby.pk}"
    old_failure = Snapshot.objects.create(
        system=system, place=rugby, scope_key=key, status="failed",
        started_at=timezone.now() - snapshots.KEEP_FAILED - dt.timedelta(hours=1),
    )  # fmt: skip
    recent_failure = Snapshot.objects.create(
        system=system, place=rugby, scope_key=key, status="failed", started_at=timezone.now()
    )
    for value in range(snapshots.KEEP_PUBLISHED + 2):
        Observation.objects.filter(series=series).update(value=value)
        snapshot_build(system_id=system.pk, place_id=rugby.pk)
    kept = Snapshot.objects.filter(scope_key=key)
    assert set(kept.values_list("status", flat=True)) == {"published", "failed"}
    assert list(kept.filter(status="failed")) == [recent_failure]
    assert kept.filter(status="published").count() == snapshots.KEEP_PUBLISHED
    assert not Snapshot.objects.filter(pk=old_failure.pk).exists()
    assert set(
        SeriesSummary.objects.filter(series=series).values_list("snapshot", flat=True)
    ) == set(kept.filter(status="published").values_list("pk", flat=True))
