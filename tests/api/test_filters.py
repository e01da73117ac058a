"""A test per filter: each narrows the list to what it says; a bad value is 400, not []."""

import datetime as dt

import pytest
from django.utils import timezone

from governance.models import Board, Membership
from metrics.models import Observation
from tests.factories import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def ids(client, url, **params):
    response = client.get(url, {**params, "page_size": 500})
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/boards/", {"level": "galaxy"}),
        ("/api/v1/boards/", {"status": "imaginary"}),
        ("/api/v1/boards/", {"place": "atlantis"}),
        ("/api/v1/boards/", {"reports_to": "no-such-board"}),
        ("/api/v1/places/", {"system": "no-such-system"}),
        ("/api/v1/memberships/", {"board": "no-such-board"}),
        ("/api/v1/memberships/", {"role": "emperor"}),
        ("/api/v1/memberships/", {"active_on": "2020-13-45"}),
        ("/api/v1/memberships/", {"ending_before": "soon"}),
        ("/api/v1/memberships/", {"modified_since": "yesterday"}),
        ("/api/v1/metrics/", {"category": "astrology"}),
        ("/api/v1/metrics/", {"owner_board": "no-such-board"}),
        ("/api/v1/metrics/", {"outcome": "world-peace"}),
        ("/api/v1/observations/", {"metric": "no-such-metric"}),
        ("/api/v1/observations/", {"subject_type": "planet"}),
        ("/api/v1/observations/", {"subject": "atlantis"}),
        ("/api/v1/observations/", {"subject_type": "place", "subject": "UHCW"}),
        ("/api/v1/observations/", {"period_after": "2019-02-30"}),
        ("/api/v1/observations/", {"provenance": "rumour"}),
        ("/api/v1/targets/", {"metric": "no-such-metric"}),
        ("/api/v1/targets/", {"period_before": "later"}),
    ],
)
def test_unknown_filter_values_are_400(analyst, url, params):
    response = analyst.get(url, params)
    assert response.status_code == 400
    assert set(params) & set(response.json())


def test_unknown_metric_and_subject_are_both_named(analyst):
    response = analyst.get(
        "/api/v1/observations/",
        {"metric": "no-such-metric", "subject_type": "place", "subject": "atlantis"},
    )
    assert response.status_code == 400
    errors = response.json()
    assert "no-such-metric" in errors["metric"][0]
    assert "atlantis" in errors["subject"][0]


def test_known_metric_with_unknown_subject_names_the_subject_only(analyst):
    response = analyst.get("/api/v1/targets/", {"metric": "bcf-nea", "subject": "atlantis"})
    assert response.status_code == 400
    assert set(response.json()) == {"subject"}


def test_filter_sets_build_their_form_class_once_and_forms_stay_apart():
    from django.http import QueryDict

    from metrics.filtersets import ObservationFilterSet

    bad = ObservationFilterSet(QueryDict("period_after=2019-02-30"))
    good = ObservationFilterSet(QueryDict("period_after=2019-02-01"))
    assert type(bad.form) is type(good.form)
    assert not bad.is_valid() and "period_after" in bad.errors
    assert good.is_valid(), good.errors
    assert bad.form.fields["period_after"] is not good.form.fields["period_after"]


def test_q_searches(analyst):
    found = analyst.get("/api/v1/boards/", {"q": "place executive"}).json()["results"]
    assert {b["slug"] for b in found} >= {"warwickshire-north-place-executive"}
    assert all("place executive" in (b["name"] + b["purpose"]).lower() for b in found)


def test_places_by_system(analyst):
    assert len(ids(analyst, "/api/v1/places/", system="coventry-and-warwickshire")) == 4


def test_boards_by_level_place_status_and_reports_to(analyst):
    place = ids(analyst, "/api/v1/boards/", level="place")
    assert set(place) == set(Board.objects.filter(level="place").values_list("pk", flat=True))
    rugby = ids(analyst, "/api/v1/boards/", place="rugby")
    assert set(rugby) == set(Board.objects.filter(place__slug="rugby").values_list("pk", flat=True))
    proposed = ids(analyst, "/api/v1/boards/", status="proposed")
    assert set(proposed) == set(
        Board.objects.filter(status="proposed").values_list("pk", flat=True)
    )
    under_peg = ids(analyst, "/api/v1/boards/", reports_to="partnership-executive-group")
    assert set(under_peg) == set(
        Board.objects.filter(reports_to__slug="partnership-executive-group").values_list(
            "pk", flat=True
        )
    )
    assert under_peg


def test_memberships_by_board_person_organisation_and_role(analyst):
    wnpe = ids(analyst, "/api/v1/memberships/", board="warwickshire-north-place-executive")
    assert len(wnpe) == 6
    geh = ids(analyst, "/api/v1/memberships/", organisation="org_geh")
    assert set(geh) == set(
        Membership.objects.filter(on_behalf_of__key="org_geh").values_list("pk", flat=True)
    )
    chairs = ids(analyst, "/api/v1/memberships/", role="chair")
    assert set(chairs) == set(Membership.objects.filter(role="chair").values_list("pk", flat=True))
    hardy = ids(analyst, "/api/v1/memberships/", person="person_andrew_hardy")
    assert len(hardy) == 1


def test_memberships_active_on_and_ending_before(analyst):
    board = Board.objects.get(slug="warwickshire-north-place-executive")
    old = MembershipFactory(
        board=board,
        person=PersonFactory(),
        start_date=dt.date(2019, 1, 1),
        end_date=dt.date(2019, 12, 31),
        end_reason="term_ended",
    )
    new = MembershipFactory(board=board, person=PersonFactory(), start_date=dt.date(2021, 1, 1))
    on_2019 = ids(analyst, "/api/v1/memberships/", board=board.slug, active_on="2019-06-01")
    assert old.pk in on_2019 and new.pk not in on_2019
    ending = ids(analyst, "/api/v1/memberships/", ending_before="2020-01-01")
    assert ending == [old.pk]


def test_modified_since(analyst):
    later = timezone.now() + dt.timedelta(seconds=1)
    assert ids(analyst, "/api/v1/memberships/", modified_since=later.isoformat()) == []
    m = Membership.objects.first()
    Membership.objects.filter(pk=m.pk).update(modified_at=later + dt.timedelta(minutes=1))
    assert ids(analyst, "/api/v1/memberships/", modified_since=later.isoformat()) == [m.pk]


def test_metrics_by_category_owner_board_and_outcome(analyst):
    bcf = analyst.get("/api/v1/metrics/", {"category": "bcf"}).json()["results"]
    assert {m["code"] for m in bcf} == {
        "bcf-nea",
        "bcf-dtoc",
        "bcf-residential-admissions",
        "bcf-reablement",
    }
    owned = analyst.get("/api/v1/metrics/", {"owner_board": "better-together-programme-dtoc-board"})
    assert [m["code"] for m in owned.json()["results"]] == ["bcf-dtoc"]
    healthy = analyst.get("/api/v1/metrics/", {"outcome": "healthy_people"}).json()["results"]
    assert {m["code"] for m in healthy} == {"bcf-residential-admissions", "bcf-reablement"}


def test_observations_by_metric_subject_period_and_provenance(analyst):
    rows = analyst.get(
        "/api/v1/observations/",
        {"metric": "wf-vacancy", "subject": "GEH", "subject_type": "organisation"},
    ).json()["results"]
    assert [r["value"] for r in rows] == [9.7]
    after = analyst.get(
        "/api/v1/observations/", {"metric": "wf-headcount", "period_after": "2019-08-01"}
    ).json()["results"]
    assert len(after) == 4
    before = analyst.get(
        "/api/v1/observations/", {"metric": "wf-headcount", "period_before": "2019-08-01"}
    ).json()["results"]
    assert before == []
    documented = analyst.get("/api/v1/observations/", {"provenance": "document"}).json()["results"]
    assert len(documented) == Observation.objects.filter(provenance="document").count()


def test_targets_by_metric_and_subject_type(analyst):
    rows = analyst.get("/api/v1/targets/", {"metric": "bcf-reablement"}).json()["results"]
    assert sorted(r["value"] for r in rows) == [89.0, 90.0]
    ccgs = analyst.get("/api/v1/targets/", {"metric": "bcf-nea", "subject": "WNCCG"}).json()
    assert [r["as_written"] for r in ccgs["results"]] == ["2.9% higher"]


def test_ordering_on_declared_fields_only(analyst):
    names = [
        b["name"] for b in analyst.get("/api/v1/boards/", {"ordering": "-name"}).json()["results"]
    ]
    assert names == sorted(names, reverse=True)
    # An undeclared field is ignored rather than exposing the table's columns.
    default = analyst.get("/api/v1/boards/").json()["results"]
    ignored = analyst.get("/api/v1/boards/", {"ordering": "note"}).json()["results"]
    assert [b["id"] for b in ignored] == [b["id"] for b in default]


def test_a_filtered_list_leaves_the_lists_after_it_unfiltered(analyst):
    """Lists start from one query built per viewset; a request's filters stay its own."""
    observation = Observation.objects.order_by("pk").first()
    metric = observation.series.metric.code
    everything = ids(analyst, "/api/v1/observations/")
    narrowed = ids(analyst, "/api/v1/observations/", metric=metric)
    assert narrowed and len(narrowed) < len(everything)
    assert set(narrowed) == set(
        Observation.objects.filter(series__metric__code=metric).values_list("pk", flat=True)
    )
    assert ids(analyst, "/api/v1/observations/") == everything
    assert len(everything) == min(Observation.objects.count(), 500)


def test_observations_of_a_slug_that_names_a_system_and_a_place(analyst):
    """Without subject_type the list holds both series' rows; with it, the one series'."""
    from tests.factories import MetricFactory, PlaceFactory, SeriesFactory, SystemFactory

    system = SystemFactory(slug="twice")
    place = PlaceFactory(system=system, slug="twice")
    metric = MetricFactory(code="twice-metric")
    made = {}
    for kind, series in (
        ("system", SeriesFactory(metric=metric, subject_type="system", system=system, place=None)),
        ("place", SeriesFactory(metric=metric, place=place)),
    ):
        made[kind] = Observation.objects.create(
            series=series,
            period_start=dt.date(2024, 4, 1),
            period_end=dt.date(2024, 4, 30),
            value=1.0,
            provenance="upload",
        ).pk
    url = "/api/v1/observations/"
    assert set(ids(analyst, url, metric="twice-metric", subject="twice")) == set(made.values())
    for kind, pk in made.items():
        assert ids(analyst, url, metric="twice-metric", subject="twice", subject_type=kind) == [pk]
