"""The England-scale synthetic generator: exact shape, deterministic, labelled, replaceable,
realistic enough for SPC, and refused off PostgreSQL."""

import hashlib
import re
from unittest import mock

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from demo import england
from governance.models import (
    Appointment,
    Board,
    Membership,
    Organisation,
    Person,
    ReportingLine,
)
from metrics import spc
from metrics.models import Metric, Observation, Series, Snapshot, Target
from metrics.snapshots import snapshot_build
from places.models import Fact, Place, System
from tests.backends import postgresql_only

pytestmark = pytest.mark.django_db

# The generator refuses other databases (tested below on any backend).
on_postgresql = postgresql_only("the England generator writes with PostgreSQL COPY")

SMALL = {"systems": 2, "places_per_system": 2, "metrics": 5, "months": 24, "seed": 11}


def digest() -> str:
    """SHA-256 of every synthetic England value, in an order that does not depend on ids."""
    rows = (
        Observation.objects.filter(series__metric__code__startswith="eng-")
        .order_by(
            "series__metric__code", "series__place__key", "series__system__key", "period_start"
        )
        .values_list(
            "series__metric__code",
            "series__place__key",
            "series__system__key",
            "period_start",
            "value",
        )
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def table_counts() -> dict[str, int]:
    models = (System, Place, Fact, Organisation, Board, ReportingLine, Person, Appointment)
    counts = {m._meta.db_table: m.objects.count() for m in models}
    counts.update(
        {
            m._meta.db_table: m.objects.count()
            for m in (Membership, Metric, Series, Target, Observation)
        }
    )
    return counts


def cw_state() -> dict:
    """What the Coventry and Warwickshire fixture and the demo series put in the database."""
    return {
        "systems": list(System.objects.filter(is_synthetic=False).values_list("key", "name")),
        "places": list(Place.objects.filter(is_synthetic=False).values_list("key", "name")),
        "boards": Board.objects.exclude(key__startswith="eng-").count(),
        "memberships": Membership.objects.exclude(board__key__startswith="eng-").count(),
        "people": Person.objects.exclude(key__startswith="eng-").count(),
        "organisations": Organisation.objects.exclude(key__startswith="eng-").count(),
        "metrics": list(
            Metric.objects.exclude(code__startswith="eng-").values_list("code", "owner_board")
        ),
        "observations": list(
            Observation.objects.exclude(series__metric__code__startswith="eng-")
            .order_by("id")
            .values_list("id", "value", "provenance")
        ),
        "targets": Target.objects.exclude(series__metric__code__startswith="eng-").count(),
    }


@on_postgresql
def test_a_small_run_creates_the_exact_rows_it_reports():
    before = table_counts()
    report = england.england_generate(**SMALL)
    after = table_counts()
    added = {table: after[table] - before[table] for table in after}
    places = 2 * 2
    boards = 2 * (5 + 2 * 2)  # five system boards, two per Place
    series = 5 * (places + 2)  # every metric for each Place and each system
    assert added == {
        "places_system": 2,
        "places_place": places,
        "places_fact": places,  # each Place's headline population
        "governance_organisation": 2 * 30,
        "governance_board": boards,
        "governance_reportingline": boards - 2,  # all but each system's Partnership Board
        "governance_person": 2 * 80,
        "governance_appointment": 2 * 80,
        # 12 seats on a system board, 9 on a Place board, plus each board's former chair.
        "governance_membership": 2 * (5 * 13 + 4 * 10),
        "metrics_metric": 5,
        "metrics_series": series,
        "metrics_target": report.created["metrics_target"],
        "metrics_observation": report.created["metrics_observation"],
    }
    for table, count in added.items():
        assert report.created[table] == count, table
    # Every targeted series has one target per financial year it covers (2024/25, 2025/26).
    targeted = Series.objects.filter(metric__code__startswith="eng-", targets__isnull=False)
    assert targeted.exists()
    for series_id in targeted.values_list("id", flat=True).distinct():
        labels = sorted(
            Target.objects.filter(series_id=series_id).values_list("period_label", flat=True)
        )
        assert labels == ["2024/25", "2025/26"]
    assert series * 24 * 0.95 < added["metrics_observation"] <= series * 24
    assert report.removed == {}


@on_postgresql
def test_the_same_seed_gives_the_same_values_and_another_seed_different_ones():
    england.england_generate(**SMALL)
    first = digest()
    england.england_generate(**SMALL)
    assert digest() == first
    england.england_generate(**{**SMALL, "seed": 12})
    assert digest() != first


@on_postgresql
def test_everything_created_is_labelled_synthetic():
    england.england_generate(**SMALL)
    systems = System.objects.filter(key__startswith="eng-")
    groups = {
        "systems": systems,
        "places": Place.objects.filter(system__in=systems),
        "organisations": Organisation.objects.filter(system__in=systems),
        "boards": Board.objects.filter(system__in=systems),
        "people": Person.objects.filter(key__startswith="eng-"),
        "metrics": Metric.objects.filter(code__startswith="eng-"),
    }
    for label, qs in groups.items():
        assert qs.exists(), label
        assert not qs.filter(is_synthetic=False).exists(), label
        assert not qs.exclude(name__endswith="(synthetic)").exists(), label
    observations = Observation.objects.filter(series__metric__code__startswith="eng-")
    assert observations.exists()
    assert set(observations.values_list("provenance", flat=True).distinct()) == {"synthetic"}
    # Place and system series only, over the generated subjects.
    eng_series = Series.objects.filter(metric__code__startswith="eng-")
    assert set(eng_series.values_list("subject_type", flat=True).distinct()) == {"place", "system"}
    assert not eng_series.filter(place__isnull=False, place__is_synthetic=False).exists()
    assert not eng_series.filter(system__isnull=False, system__is_synthetic=False).exists()


@on_postgresql
def test_metrics_mix_polarities_and_counts_are_whole_numbers():
    england.england_generate(**{**SMALL, "metrics": 40})
    metrics = Metric.objects.filter(code__startswith="eng-")
    assert set(metrics.values_list("polarity", flat=True)) == {
        "higher_is_better",
        "lower_is_better",
        "neutral",
    }
    assert metrics.values("category").distinct().count() == 5
    for metric in metrics:
        values = np.array(
            Observation.objects.filter(series__metric=metric).values_list("value", flat=True)
        )
        if metric.minimum is not None:
            assert values.min() >= metric.minimum, metric.code
        if metric.maximum is not None:
            assert values.max() <= metric.maximum, metric.code
        assert np.allclose(values, np.round(values, metric.decimal_places)), metric.code
    counts = Observation.objects.filter(series__metric__code="eng-nea-01")
    assert all(float(v).is_integer() for v in counts.values_list("value", flat=True))


@on_postgresql
def test_governance_respects_the_membership_rules():
    england.england_generate(**SMALL)
    boards = Board.objects.filter(key__startswith="eng-")
    for board in boards:
        chairs = board.memberships.filter(role="chair")
        assert chairs.filter(end_date__isnull=True).count() == 1, board.key
        former = chairs.get(end_date__isnull=False)
        assert former.end_reason == "term_ended"
        for membership in board.memberships.all():
            membership.full_clean()  # the model's own overlap and date rules
    top = boards.filter(key__endswith="-partnership-board")
    assert not ReportingLine.objects.filter(board__in=top).exists()
    assert ReportingLine.objects.filter(board__in=boards).count() == boards.count() - top.count()


@on_postgresql
def test_a_second_run_replaces_the_first_and_leaves_coventry_and_warwickshire_alone():
    call_command("generate_synthetic", verbosity=0)
    cw = cw_state()
    assert cw["systems"] and cw["observations"]
    first = england.england_generate(**SMALL)
    # What depends on the generated rows goes with them: snapshots and their summaries.
    system = System.objects.get(key="eng-s01")
    snapshot_build(system_id=system.pk, place_id=system.places.first().pk)
    counts = table_counts()
    second = england.england_generate(**SMALL)
    assert table_counts() == counts
    assert second.removed["metrics_observation"] == first.created["metrics_observation"]
    assert second.removed["metrics_seriessummary"] == 5
    assert not Snapshot.objects.filter(system__key="eng-s01").exists()
    assert cw_state() == cw


@on_postgresql
def test_missing_months_exist_but_are_a_small_share():
    report = england.england_generate(**{**SMALL, "metrics": 40, "months": 60})
    possible = Series.objects.filter(metric__code__startswith="eng-").count() * 60
    missing = 1 - report.created["metrics_observation"] / possible
    assert 0.002 < missing < 0.05


@on_postgresql
def test_special_cause_variation_fires_at_realistic_rates():
    """Realistic, here, means: clearly more special causes than pure noise would raise (the
    rules' false alarms on a stable process, measured on the same shape), yet far from every
    series — a real dashboard has many metrics in common-cause variation. Over four years of
    monthly points white noise flags about 40% of series somewhere and about 2% on their
    latest point; NHS board reports typically show special cause on roughly a fifth to a half
    of their metrics' latest points."""
    months = 48
    england.england_generate(**{**SMALL, "systems": 3, "metrics": 80, "months": months})
    rows = Observation.objects.filter(series__metric__code__startswith="eng-").order_by(
        "series_id", "period_start"
    )
    ids, values = map(np.array, zip(*rows.values_list("series_id", "value"), strict=True))
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    lengths = np.diff(np.r_[starts, ids.size])
    matrix = np.full((starts.size, months), np.nan)
    for i, (s, n) in enumerate(zip(starts, lengths, strict=True)):
        matrix[i, :n] = values[s : s + n]
    polarity = dict(Series.objects.filter(id__in=ids[starts]).values_list("id", "metric__polarity"))
    improvement = [
        {"higher_is_better": "increase", "lower_is_better": "decrease"}.get(polarity[i], "neutral")
        for i in ids[starts].tolist()
    ]
    result = spc.analyse_many(matrix, improvement=improvement, lengths=lengths)
    flagged = (result.point_type > 0).any(axis=1).mean()
    latest = (result.variation > 0).mean()

    noise = np.random.default_rng(0).normal(100, 5, (2000, months))
    baseline = spc.analyse_many(noise)
    noise_flagged = (baseline.point_type > 0).any(axis=1).mean()
    noise_latest = (baseline.variation > 0).mean()

    assert starts.size == 80 * (3 * 2 + 3)
    assert noise_flagged + 0.2 < flagged < 0.97
    assert max(noise_latest * 5, 0.15) < latest < 0.6


@on_postgresql
def test_recompute_runs_over_the_generated_data():
    england.england_generate(**SMALL)
    call_command("recompute_snapshots", verbosity=0)
    for system in System.objects.filter(key__startswith="eng-"):
        scopes = [p.pk for p in system.places.all()] + [None]
        for place_id in scopes:
            snapshot = Snapshot.objects.filter(
                system=system, place_id=place_id, status="published"
            ).get()
            assert snapshot.series_count == 5
            summaries = snapshot.summaries.all()
            assert {s.provenance for s in summaries} == {"synthetic"}
            assert all(s.point_count > 12 for s in summaries)
    assert {"green", "amber", "red"} & set(
        Snapshot.objects.filter(system__key__startswith="eng-")
        .values_list("summaries__rag", flat=True)
        .distinct()
    )


@on_postgresql
def test_rebuilding_the_indexes_restores_them_all():
    def definitions():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'metrics_observation'"
                " ORDER BY indexname"
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = 'metrics_observation'::regclass ORDER BY conname"
            )
            return indexes, cursor.fetchall()

    before = definitions()
    # The primary key, the unique (series, period) and the two partial indexes of documented
    # rows; the batch is not indexed (every update sets it, and an index would stop HOT updates).
    assert len(before[0]) == 4
    england.england_generate(**SMALL)
    report = england.england_generate(**SMALL, rebuild_indexes=True)
    assert definitions() == before
    assert (
        report.created["metrics_observation"]
        == Observation.objects.filter(series__metric__code__startswith="eng-").count()
    )


@on_postgresql
def test_bad_sizes_are_refused_and_nothing_is_written():
    counts = table_counts()
    with pytest.raises(CommandError, match="months must be at least 1, not 0"):
        call_command("generate_england", months=0, verbosity=0)
    assert table_counts() == counts


def test_the_command_refuses_a_database_that_is_not_postgresql():
    counts = table_counts()
    with (
        mock.patch.object(connections["default"], "vendor", "sqlite"),
        pytest.raises(CommandError, match="PostgreSQL COPY; this database is sqlite"),
    ):
        call_command("generate_england", systems=1, verbosity=0)
    assert table_counts() == counts


@on_postgresql
def test_the_command_prints_its_counts_and_time(capsys):
    call_command("generate_england", systems=1, places_per_system=1, metrics=2, months=6, seed=3)
    out = capsys.readouterr().out
    counts = {
        parts[0]: int(parts[1].replace(",", ""))
        for parts in (line.split() for line in out.splitlines())
        if len(parts) == 2
    }
    assert counts["metrics_series"] == 2 * 2  # 2 metrics x (1 Place + the system)
    assert counts["governance_membership"] == 5 * 13 + 2 * 10
    assert re.search(r"Synthetic England \(seed 3\): [\d,]+ rows in \d+\.\d s\.", out)
