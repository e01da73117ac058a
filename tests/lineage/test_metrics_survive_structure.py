"""Metrics survive structure: a predecessor's series continues in its successor's, rebased at
the date of the change with its reason; never silently joined."""

import datetime as dt

import pytest

from governance.lineage import SuccessionChange, succession_record
from governance.models import Organisation
from governance.services import role_grant
from metrics.imports.services import observations_import
from metrics.models import Annotation, Observation, Series
from metrics.snapshots import snapshot_build
from places.lineage import StatedSource
from tests.factories import MetricFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

DATE = dt.date(2022, 7, 1)


def _month(start: dt.date, i: int) -> dt.date:
    months = start.year * 12 + start.month - 1 + i
    return dt.date(months // 12, months % 12 + 1, 1)


def _observe(series, start, values):
    Observation.objects.bulk_create(
        Observation(
            series=series,
            period_start=_month(start, i),
            period_end=_month(start, i + 1) - dt.timedelta(days=1),
            value=value,
            provenance="synthetic",
            note="illustrative",
        )
        for i, value in enumerate(values)
    )


@pytest.fixture
def admin():
    return role_grant(username="lineage-admin", role="admin", board_slugs=[]).user


@pytest.fixture
def merger():
    """A CCG with two years of a metric before the merger; its successor with a year after."""
    ccg = Organisation.objects.get(key="org_swccg")
    icb = OrganisationFactory(key="org_icb_m", system=ccg.system, name="Test ICB")
    metric = MetricFactory(code="test-carried", is_synthetic=True)
    old = Series.objects.create(metric=metric, subject_type="organisation", organisation=ccg)
    new = Series.objects.create(metric=metric, subject_type="organisation", organisation=icb)
    _observe(old, dt.date(2020, 7, 1), [10 + (i % 3) for i in range(24)])  # to June 2022
    _observe(new, DATE, [30 + (i % 3) for i in range(12)])
    return ccg, icb, old, new


def _record(admin, predecessor, successor, kind="merger"):
    return succession_record(
        user=admin,
        body="organisation",
        change=SuccessionChange(
            predecessor=predecessor,
            successors=[successor],
            date=DATE,
            kind=kind,
            successors_start=False,
        ),
        reason="The CCGs merged into the ICB.",
        source=StatedSource(document=predecessor.source_document, line=predecessor.source_line),
    )


def test_the_predecessors_series_continues_in_the_successors_rebased_at_the_date(admin, merger):
    ccg, icb, old, new = merger
    _record(admin, ccg, icb)
    points = list(new.observations.order_by("period_start"))
    assert len(points) == 36
    carried = [p for p in points if p.period_start < DATE]
    assert len(carried) == 24 and all(p.value < 20 for p in carried)
    assert all(p.note.startswith("Carried over from South Warwickshire") for p in carried)
    assert all(p.value >= 30 for p in points if p.period_start >= DATE)
    # The predecessor's own series is untouched.
    assert old.observations.count() == 24
    rebase = Annotation.objects.get(series=new, kind="rebase")
    assert rebase.period == DATE
    assert "The CCGs merged into the ICB." in rebase.text and "Merger" in rebase.text
    assert "Source: " in rebase.text
    assert rebase.history.latest().history_user == admin
    # SPC limits start afresh at the date: two segments, the second from the succession.
    summary = snapshot_build(system_id=icb.system_id, place_id=None).summaries.get(series=new)
    assert [s[0] for s in summary.points["segments"]] == [0, 24]


def test_a_second_predecessor_is_not_joined_silently(admin, merger):
    ccg, icb, _old, new = merger
    _record(admin, ccg, icb)
    other = Organisation.objects.get(key="org_wnccg")
    second = Series.objects.create(
        metric=new.metric, subject_type="organisation", organisation=other
    )
    _observe(second, dt.date(2021, 7, 1), [50] * 12)
    _record(admin, other, icb)
    assert new.observations.filter(value=50).count() == 0
    note = Annotation.objects.get(series=new, kind="note")
    assert "were not carried over" in note.text and "Warwickshire North" in note.text


def test_a_boundary_change_carries_nothing_but_rebases(admin, merger):
    ccg, icb, _old, new = merger
    _record(admin, ccg, icb, kind="boundary_change")
    assert new.observations.count() == 12
    assert Annotation.objects.filter(series=new, kind="rebase").count() == 1
    ccg.refresh_from_db()
    assert ccg.valid_to is None  # the predecessor goes on after a boundary change


def _correct(ccg, period: str, value: float):
    """A correction to the predecessor's series, uploaded as analysts upload any."""
    observations_import(
        rows=[
            {
                "metric": "test-carried",
                "subject_type": "organisation",
                "subject": ccg.key,
                "period": period,
                "value": value,
                "note": "corrected",
            }
        ]
    )


def test_a_correction_to_the_predecessor_after_the_merger_reaches_the_successors_series(
    admin, merger
):
    ccg, icb, old, new = merger
    _record(admin, ccg, icb)
    before = snapshot_build(system_id=icb.system_id, place_id=None).summaries.get(series=new)
    assert before.points["types"][23] == "c"
    _correct(ccg, "2022-06", 1000)
    assert old.observations.get(period_start=dt.date(2022, 6, 1)).value == 1000
    carried = new.observations.get(period_start=dt.date(2022, 6, 1))
    assert carried.value == 1000
    assert carried.note.startswith("Carried over from South Warwickshire")
    assert carried.note.endswith("corrected")
    assert new.observations.count() == 36
    # Its SPC: the corrected month is now beyond the first segment's upper limit.
    after = snapshot_build(system_id=icb.system_id, place_id=None).summaries.get(series=new)
    assert after.points["types"][23] == "I"
    assert [s[0] for s in after.points["segments"]] == [0, 24]
    assert Annotation.objects.filter(series=new, kind="rebase").count() == 1


def test_a_value_the_predecessor_gains_before_the_date_is_carried_one_after_it_is_not(
    admin, merger
):
    ccg, icb, _old, new = merger
    _record(admin, ccg, icb)
    _correct(ccg, "2020-06", 7)  # before its series began, and before the merger
    _correct(ccg, "2022-08", 500)  # after the merger: the successor's own period
    assert new.observations.get(period_start=dt.date(2020, 6, 1)).value == 7
    assert new.observations.get(period_start=dt.date(2022, 8, 1)).value == 31
    assert new.observations.count() == 37


def test_a_second_predecessors_correction_is_not_joined_either(admin, merger):
    ccg, icb, _old, new = merger
    _record(admin, ccg, icb)
    other = Organisation.objects.get(key="org_wnccg")
    second = Series.objects.create(
        metric=new.metric, subject_type="organisation", organisation=other
    )
    _observe(second, dt.date(2021, 7, 1), [50] * 12)
    _record(admin, other, icb)
    _correct(other, "2022-06", 60)
    assert not new.observations.filter(value__in=[50, 60]).exists()
    assert new.observations.get(period_start=dt.date(2022, 6, 1)).value < 20


def test_a_correction_follows_a_chain_of_mergers(admin, merger):
    ccg, icb, _old, new = merger
    _record(admin, ccg, icb)
    later = OrganisationFactory(key="org_icb_later", system=icb.system, name="Later ICB")
    succession_record(
        user=admin,
        body="organisation",
        change=SuccessionChange(
            predecessor=icb,
            successors=[later],
            date=dt.date(2023, 7, 1),
            kind="merger",
            successors_start=False,
        ),
        reason="The ICB merged again.",
        source=StatedSource(document=ccg.source_document, line=ccg.source_line),
    )
    last = Series.objects.get(metric=new.metric, organisation=later)
    assert last.observations.count() == 36
    _correct(ccg, "2022-06", 1000)
    assert last.observations.get(period_start=dt.date(2022, 6, 1)).value == 1000
