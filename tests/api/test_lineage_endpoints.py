"""Lineage and as-at through the API: successions, Place moves and clusters recorded by
administrators (refused for everyone else, with nothing written), and ``as_at``/``active_on``
on systems, Places, organisations and boards."""

import datetime as dt

import pytest

from governance.models import Board, BoardSuccession, Organisation, OrganisationSuccession
from places.models import Cluster, Place, PlaceInSystem, System
from tests.factories import OrganisationFactory, SystemFactory

pytestmark = pytest.mark.django_db

CCGS = ["org_crccg", "org_swccg", "org_wnccg"]
SOURCE = {"stated_by": "Jane Example", "stated_on": "2022-07-01"}


def _keys(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row.get("key") or row.get("slug") for row in response.json()["results"]}


@pytest.fixture
def icb():
    cw = System.objects.get(slug="coventry-and-warwickshire")
    return OrganisationFactory(
        key="org_test_icb", system=cw, name="Test Integrated Care Board", abbreviation="TICB"
    )


def _merge_ccgs(admin, icb):
    for key in CCGS:
        response = admin.post(
            "/api/v1/organisation-successions/",
            {
                "predecessor": key,
                "successors": [icb.key],
                "kind": "merger",
                "date": "2022-07-01",
                "reason": "The CCGs were merged into the integrated care board.",
                **SOURCE,
            },
            format="json",
        )
        assert response.status_code == 201, response.content
    return response


def test_an_admin_records_a_merger_and_as_at_answers_who_existed(api_as, icb):
    admin = api_as("admin")
    body = _merge_ccgs(admin, icb).json()
    assert body[0]["successor"]["key"] == "org_test_icb"
    assert body[0]["stated_by"] == "Jane Example" and body[0]["reason"].startswith("The CCGs")
    before = _keys(admin.get("/api/v1/organisations/?as_at=2022-06-30&page_size=200"))
    after = _keys(admin.get("/api/v1/organisations/?active_on=2022-07-01&page_size=200"))
    assert set(CCGS) <= before and "org_test_icb" not in before
    assert not set(CCGS) & after and "org_test_icb" in after
    crccg = Organisation.objects.get(key="org_crccg")
    assert crccg.valid_to == dt.date(2022, 6, 30)
    # Kept in history with who and why.
    last = crccg.history.latest()
    assert last.history_user == admin.user and "merged" in last.history_change_reason
    succession = OrganisationSuccession.objects.get(predecessor=crccg, successor=icb)
    assert succession.history.latest().history_user == admin.user


@pytest.mark.parametrize("who", ["commissioner", "analyst", "secretary_a"])
def test_only_admins_record_and_a_refusal_writes_nothing(api_as, icb, who):
    client = api_as(who)
    counts = (OrganisationSuccession.objects.count(), BoardSuccession.objects.count())
    response = client.post(
        "/api/v1/organisation-successions/",
        {
            "predecessor": "org_crccg",
            "successors": [icb.key],
            "kind": "merger",
            "date": "2022-07-01",
            "reason": "x",
            **SOURCE,
        },
        format="json",
    )
    assert response.status_code == 403
    assert "administrators" in response.json()["detail"]
    for url, body in [
        ("/api/v1/place-moves/", {"place": "place_rugby", "system": "x", "date": "2026-04-01"}),
        ("/api/v1/clusters/", {"name": "x", "systems": []}),
        ("/api/v1/board-successions/", {}),
    ]:
        assert client.post(url, body, format="json").status_code == 403
    assert (OrganisationSuccession.objects.count(), BoardSuccession.objects.count()) == counts
    assert Organisation.objects.get(key="org_crccg").valid_to is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stated_by": "", "stated_on": None}, "source_document"),
        ({"reason": " "}, "reason"),
        ({"successors": ["org_crccg"]}, "successors"),
        ({"kind": "takeover"}, "kind"),
        ({"date": "2022-13-01"}, "date"),
        ({"date": "0001-01-01"}, "date"),
        (
            {
                "stated_by": "",
                "stated_on": None,
                "source_document": "doc_004",
                "source_line": 10**6,
            },
            "source_line",
        ),
        ({"source_document": "doc_004", "source_line": 258}, "stated_by"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(api_as, icb, change, field):
    admin = api_as("admin")
    body = {
        "predecessor": "org_crccg",
        "successors": [icb.key],
        "kind": "merger",
        "date": "2022-07-01",
        "reason": "Merged.",
        **SOURCE,
        **change,
    }
    response = admin.post("/api/v1/organisation-successions/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not OrganisationSuccession.objects.filter(successor=icb).exists()
    assert Organisation.objects.get(key="org_crccg").valid_to is None
    assert Organisation.objects.get(key="org_test_icb").valid_from is None


def test_a_board_replacement_through_the_api_and_the_boards_list_as_at(api_as):
    admin = api_as("admin")
    stp = Board.objects.get(key="board_programme_delivery_board")
    peg = Board.objects.get(key="board_pdg")
    other = Board.objects.get(key="board_finance_advisory_board")
    response = admin.post(
        "/api/v1/board-successions/",
        {
            "predecessor": stp.slug,
            "successors": [peg.slug, other.slug],
            "kind": "split",
            "date": "2019-09-01",
            "reason": "A test split.",
            "source_document": "doc_004",
            "source_line": 258,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert len(response.json()) == 2
    before = _keys(admin.get("/api/v1/boards/?as_at=2019-08-31&page_size=200"))
    after = _keys(admin.get("/api/v1/boards/?as_at=2019-09-01&page_size=200"))
    assert stp.key in before and peg.key not in before
    assert stp.key not in after and peg.key in after
    listed = admin.get(f"/api/v1/board-successions/?board={peg.slug}").json()["results"]
    assert {row["predecessor"]["slug"] for row in listed} == {stp.slug}


@pytest.mark.parametrize("url", ["systems", "places", "organisations", "boards", "clusters"])
@pytest.mark.parametrize("param", ["as_at", "active_on"])
def test_an_invalid_date_is_a_json_400_naming_the_parameter(analyst, url, param):
    response = analyst.get(f"/api/v1/{url}/?{param}=2025-02-30")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert param in response.json()


def test_a_place_moves_system_and_places_answer_by_their_system_on_the_date(api_as):
    admin = api_as("admin")
    hw = SystemFactory(key="hw", slug="herefordshire-and-worcestershire", name="H and W")
    response = admin.post(
        "/api/v1/place-moves/",
        {
            "place": "place_rugby",
            "system": hw.slug,
            "date": "2026-04-01",
            "reason": "Boundary change.",
            **SOURCE,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    rugby = Place.objects.get(key="place_rugby")
    assert rugby.system == hw  # the date has come: the current system follows it
    cw = "coventry-and-warwickshire"
    assert "place_rugby" in _keys(admin.get(f"/api/v1/places/?system={cw}&as_at=2026-03-31"))
    assert "place_rugby" not in _keys(admin.get(f"/api/v1/places/?system={cw}&as_at=2026-04-01"))
    assert _keys(admin.get(f"/api/v1/places/?system={hw.slug}&as_at=2026-04-01")) == {"place_rugby"}
    assert _keys(admin.get(f"/api/v1/places/?system={hw.slug}&as_at=2020-01-01")) == set()
    rows = admin.get("/api/v1/place-moves/?place=rugby").json()["results"]
    assert [(r["system"]["slug"], r["valid_from"], r["valid_to"]) for r in rows] == [
        (cw, None, "2026-03-31"),
        (hw.slug, "2026-04-01", None),
    ]
    assert PlaceInSystem.objects.filter(place=rugby).count() == 2


def test_a_cluster_of_systems_with_dates_and_as_at(api_as):
    admin = api_as("admin")
    hw = SystemFactory(key="hw", slug="herefordshire-and-worcestershire", name="H and W")
    response = admin.post(
        "/api/v1/clusters/",
        {
            "name": "Test cluster",
            "systems": ["coventry-and-warwickshire", hw.slug],
            "valid_from": "2025-10-01",
            "reason": "One board and executive team for both systems.",
            **SOURCE,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert {m["system"]["slug"] for m in response.json()["memberships"]} == {
        "coventry-and-warwickshire",
        hw.slug,
    }
    assert _keys(admin.get("/api/v1/clusters/?as_at=2025-09-30")) == set()
    assert _keys(admin.get(f"/api/v1/clusters/?as_at=2025-10-01&system={hw.slug}")) == {
        "cluster_test_cluster"
    }
    assert Cluster.objects.get().history.latest().history_change_reason.startswith("One board")


def test_systems_as_at(analyst):
    SystemFactory(key="gone", slug="gone", name="Gone", valid_to=dt.date(2026, 3, 31))
    assert "gone" in _keys(analyst.get("/api/v1/systems/?as_at=2026-03-31"))
    assert "gone" not in _keys(analyst.get("/api/v1/systems/?as_at=2026-04-01"))


def test_the_endpoints_are_in_the_root_and_the_schema(analyst):
    root = analyst.get("/api/v1/").json()
    for name in ("board-successions", "organisation-successions", "place-moves", "clusters"):
        assert name in root
    schema = analyst.get("/api/schema/?format=json").json()
    post = schema["paths"]["/api/v1/organisation-successions/"]["post"]
    assert {"201", "400", "403"} <= set(post["responses"])
    params = {p["name"] for p in schema["paths"]["/api/v1/boards/"]["get"]["parameters"]}
    assert {"as_at", "active_on"} <= params
