"""Annotations: the service (permission, validation, history), the API, and what they do to
the snapshot's limits (rebases, baselines, other charts, rule profiles)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from governance.services import role_grant
from metrics.models import Annotation, Observation
from metrics.services import annotation_create
from metrics.snapshots import snapshot_build
from metrics.spc import control_limits
from tests.api.conftest import token_client
from tests.factories import BoardFactory, MetricFactory, PlaceFactory, SeriesFactory

pytestmark = pytest.mark.django_db


def _month(i: int) -> dt.date:
    return dt.date(2019 + (3 + i) // 12, (3 + i) % 12 + 1, 1)


def _observe(series, values, denominators=None):
    rows = []
    for i, value in enumerate(values):
        start = _month(i)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        extra = {}
        if denominators is not None:
            extra = {"numerator": value * denominators[i] / 100, "denominator": denominators[i]}
        rows.append(
            Observation(
                series=series,
                period_start=start,
                period_end=end,
                value=value,
                provenance="synthetic",
                **extra,
            )
        )
    Observation.objects.bulk_create(rows)


@pytest.fixture
def board():
    return BoardFactory(slug="test-owning-board")


@pytest.fixture
def series(board):
    metric = MetricFactory(code="test-annotated", owner_board=board, is_synthetic=True)
    series = SeriesFactory(metric=metric, place=PlaceFactory())
    _observe(series, [10 + (i % 5) for i in range(24)])
    return series


def _user(name, role, boards=()):
    return role_grant(username=name, role=role, board_slugs=list(boards)).user


# -- the service ------------------------------------------------------------------------------


def test_a_secretary_of_the_owning_board_annotates_with_history(series, board):
    user = _user("sec-own", "board_secretary", [board.slug])
    note = annotation_create(
        user=user, series=series, kind="intervention", period=_month(6), label="New triage"
    )
    assert note.created_by == user
    record = note.history.get()
    assert record.history_user == user
    assert record.history_change_reason == "Added a intervention annotation"


def test_others_are_refused_before_anything_is_checked_or_written(series):
    other = BoardFactory(slug="test-other-board")
    for user in (
        _user("sec-other", "board_secretary", [other.slug]),
        _user("a-commissioner", "commissioner"),
    ):
        with pytest.raises(PermissionDenied):
            annotation_create(user=user, series=series, kind="note", period=_month(1), label="")
    assert not Annotation.objects.exists()


def test_only_analysts_and_admins_fix_baselines(series, board):
    user = _user("sec-own", "board_secretary", [board.slug])
    with pytest.raises(PermissionDenied):
        annotation_create(
            user=user,
            series=series,
            kind="baseline",
            period=_month(0),
            period_end=_month(11),
            label="Baseline",
            text="Before the change",
        )


def test_a_rebase_needs_a_reason_and_snaps_to_the_next_observed_period(series):
    analyst = _user("an-analyst", "analyst")
    with pytest.raises(ValidationError) as failed:
        annotation_create(user=analyst, series=series, kind="rebase", period=_month(12), label="x")
    assert set(failed.value.message_dict) == {"text"}
    note = annotation_create(
        user=analyst,
        series=series,
        kind="rebase",
        period=_month(12) + dt.timedelta(days=3),
        label="New pathway",
        text="The discharge pathway changed",
    )
    assert note.period == _month(13)


def test_a_baseline_needs_twelve_points_and_fixes_the_series(series):
    analyst = _user("an-analyst", "analyst")
    with pytest.raises(ValidationError) as failed:
        annotation_create(
            user=analyst,
            series=series,
            kind="baseline",
            period=_month(0),
            period_end=_month(10),
            label="Baseline",
            text="Year one",
        )
    assert "at least 12 points; these periods have 11" in failed.value.message_dict["period_end"][0]
    annotation_create(
        user=analyst,
        series=series,
        kind="baseline",
        period=_month(0),
        period_end=_month(11),
        label="Baseline",
        text="Year one",
    )
    series.refresh_from_db()
    assert (series.baseline_start, series.baseline_end) == (_month(0), _month(11))


# -- the snapshot -----------------------------------------------------------------------------


def _summary(series):
    snapshot = snapshot_build(system_id=series.place.system_id, place_id=series.place_id)
    return snapshot.summaries.get(series=series)


def test_a_rebase_annotation_starts_a_segment(series):
    analyst = _user("an-analyst", "analyst")
    annotation_create(
        user=analyst, series=series, kind="rebase", period=_month(12), label="R", text="why"
    )
    segments = _summary(series).points["segments"]
    assert [s[0] for s in segments] == [0, 12]


def test_a_baseline_extends_its_limits_to_every_point(series):
    Observation.objects.filter(series=series, period_start__gte=_month(12)).update(value=30)
    analyst = _user("an-analyst", "analyst")
    annotation_create(
        user=analyst,
        series=series,
        kind="baseline",
        period=_month(0),
        period_end=_month(11),
        label="Baseline",
        text="Year one",
    )
    summary = _summary(series)
    assert summary.points["baseline"] == [0, 11]
    assert summary.mean == pytest.approx(11.75)  # the baseline's mean, not the whole series'
    assert summary.points["types"][12:] == "I" * 12  # every later point beyond the limit
    assert summary.variation == "improvement_high"


def test_a_p_chart_has_limits_per_point():
    metric = MetricFactory(
        code="test-p", data_kind="proportion", chart="p", multiplier=100, unit="%"
    )
    series = SeriesFactory(metric=metric, place=PlaceFactory())
    denominators = [100, 400] * 10
    _observe(series, [10.0] * 19 + [40.0], denominators)
    summary = _summary(series)
    assert summary.points["chart"] == "p"
    centre, lower, upper = summary.points["limits"]
    assert upper[0] > upper[1]  # the smaller denominator has the wider limits
    pooled = (sum(d * 0.1 for d in denominators[:-1]) + 0.4 * 400) / sum(denominators)
    assert centre[0] == pytest.approx(pooled * 100)
    # The snapshot's limits are the engine's (control_limits_many, as control_limits).
    nums = [v * d / 100 for v, d in zip([10.0] * 19 + [40.0], denominators, strict=True)]
    expected = control_limits("p", nums, denominators, multiplier=100)
    assert upper == pytest.approx(list(expected["ul99"]))
    assert lower == pytest.approx(list(expected["ll99"]))
    assert summary.points["types"][-1] == "I"  # beyond its upper limit; higher is better


def test_the_mdc_profile_counts_points_beyond_the_limit_in_two_of_three():
    values = [10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9, 11.5, 13.8, 20]
    kept, mdc = (
        MetricFactory(code=f"test-rules-{name}", rules=name) for name in ("nhsrplotthedots", "mdc")
    )
    place = PlaceFactory()
    types = {}
    for metric in (kept, mdc):
        s = SeriesFactory(metric=metric, place=place)
        _observe(s, values)
        types[metric.rules] = s
    snapshot = snapshot_build(system_id=place.system_id, place_id=place.pk)
    got = {r: snapshot.summaries.get(series=s).points["types"] for r, s in types.items()}
    assert got["nhsrplotthedots"][-2:] == "cI"
    assert got["mdc"][-2:] == "II"


# -- the API ----------------------------------------------------------------------------------


def _post(client, target, **fields):
    body = {"series": target.pk, "kind": "intervention", "period": "2019-10-01", "label": "Go"}
    return client.post("/api/v1/annotations/", {**body, **fields}, format="json")


def test_api_posts_for_analysts_and_the_owning_boards_secretaries(series, board):
    assert _post(token_client("api-an", "analyst"), series).status_code == 201
    response = _post(token_client("api-sec", "board_secretary", [board.slug]), series)
    assert response.status_code == 201
    assert response.json()["series"]["metric"] == "test-annotated"
    assert response.json()["synthetic"] is True
    assert _post(token_client("api-co", "commissioner"), series).status_code == 403
    BoardFactory(slug="test-other")
    assert (
        _post(token_client("api-sec2", "board_secretary", ["test-other"]), series).status_code
        == 403
    )
    assert Annotation.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"kind": "rumour"}, "kind"),
        ({"label": ""}, "label"),
        ({"period": "2019-13-01"}, "period"),
        ({"series": 0}, "series"),
        ({"kind": "rebase"}, "text"),
        ({"kind": "baseline", "text": "x", "period_end": "2019-06-01"}, "period_end"),
    ],
)
def test_api_400_names_the_field(series, fields, key):
    response = _post(token_client("api-an", "analyst"), series, **fields)
    assert response.status_code == 400
    assert key in response.json()
    assert not Annotation.objects.exists()


def test_api_lists_and_filters(series):
    analyst = token_client("api-an", "analyst")
    _post(analyst, series)
    other = SeriesFactory(metric=MetricFactory(code="test-other-metric"))
    _observe(other, [1, 2, 3])
    _post(analyst, other)
    for query in (
        "metric=test-annotated",
        f"series={series.pk}",
        f"subject={series.place.slug}&subject_type=place",
    ):
        rows = analyst.get(f"/api/v1/annotations/?{query}").json()["results"]
        assert [r["series"]["id"] for r in rows] == [series.pk], query
    assert analyst.get("/api/v1/annotations/?metric=nope").status_code == 400


# -- the metric page --------------------------------------------------------------------------


def test_the_metric_page_draws_lists_and_takes_annotations(series, board, page_client_as):
    page = f"/metrics/test-annotated/?system={series.place.system.slug}"
    analyst = page_client_as("analyst")
    annotation_create(
        user=analyst.user, series=series, kind="intervention", period=_month(5), label="Triage"
    )
    snapshot_build(system_id=series.place.system_id, place_id=series.place_id)
    html = analyst.get(page).content.decode()
    assert 'class="spc-annotation" data-index="5"' in html
    assert "Triage</strong> (Intervention)" in html
    assert 'action="/metrics/test-annotated/annotations/new/"' in html
    commissioner = page_client_as("commissioner")
    assert "annotations/new/" not in commissioner.get(page).content.decode()
    assert commissioner.post("/metrics/test-annotated/annotations/new/").status_code == 403

    secretary = page_client_as("board_secretary", boards=[board.slug])
    form = {"series": series.pk, "kind": "rebase", "period": "2020-04-01", "label": "New"}
    refused = secretary.post("/metrics/test-annotated/annotations/new/", form)
    assert refused.status_code == 200
    assert "a rebase or a baseline needs its reason" in refused.content.decode()
    done = secretary.post(
        "/metrics/test-annotated/annotations/new/", {**form, "text": "New pathway"}
    )
    assert done.status_code == 302
    assert done["Location"] == f"/metrics/test-annotated/#series-{series.pk}"
    assert Annotation.objects.filter(kind="rebase", series=series).exists()
