"""Every filter that names an object takes the same identifiers for the same kind of object
(README "The API, for analysts"), and its periods as uploads write them."""

import pytest

from governance.models import Board, Membership, Organisation, Person
from metrics.models import Observation
from places.models import Place, System

pytestmark = pytest.mark.django_db


def ids(client, url, **params):
    response = client.get(url, {**params, "page_size": 500})
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


def test_an_organisation_by_key_abbreviation_national_code_or_id(analyst):
    wcc = Organisation.objects.get(key="org_wcc")
    Organisation.objects.filter(pk=wcc.pk).update(national_code="R1A")
    expected = sorted(Membership.objects.filter(on_behalf_of=wcc).values_list("pk", flat=True))
    assert expected
    for identifier in ("org_wcc", "WCC", "R1A", str(wcc.pk)):
        assert ids(analyst, "/api/v1/memberships/", organisation=identifier) == expected
    # The same identifiers name a series' subject.
    for identifier in ("org_wcc", "WCC", "R1A"):
        rows = ids(analyst, "/api/v1/targets/", subject=identifier, subject_type="organisation")
        assert rows, identifier


def test_a_person_by_key_or_id(analyst):
    person = Person.objects.get(key="person_andrew_hardy")
    by_key = ids(analyst, "/api/v1/memberships/", person=person.key)
    assert by_key and ids(analyst, "/api/v1/memberships/", person=str(person.pk)) == by_key


@pytest.mark.parametrize(
    ("url", "name", "model", "slug"),
    [
        ("/api/v1/boards/", "place", Place, "rugby"),
        ("/api/v1/places/", "system", System, "coventry-and-warwickshire"),
        ("/api/v1/memberships/", "board", Board, "warwickshire-north-place-executive"),
        ("/api/v1/risks/", "board", Board, "integrated-care-system-quality-surveillance-group"),
        ("/api/v1/organisations/", "place", Place, "rugby"),
    ],
)
def test_slugged_objects_by_slug_or_id(analyst, url, name, model, slug):
    obj = model.objects.get(slug=slug)
    assert ids(analyst, url, **{name: slug}) == ids(analyst, url, **{name: str(obj.pk)})


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"period_after": "2019-08"}, 4),
        ({"period_after": "2019-08-01"}, 4),
        ({"period_before": "2019-07"}, 0),
        ({"period_before": "2019/20"}, 4),
        ({"period_after": "2020/21"}, 0),
    ],
)
def test_periods_as_uploads_write_them(analyst, params, count):
    rows = analyst.get("/api/v1/observations/", {"metric": "wf-headcount", **params})
    assert rows.status_code == 200, rows.content
    assert len(rows.json()["results"]) == count
    assert Observation.objects.filter(series__metric__code="wf-headcount").count() == 4


@pytest.mark.parametrize("value", ["2019-13", "2019/21", "August"])
def test_a_period_that_is_not_one_is_400_naming_the_forms(analyst, value):
    response = analyst.get("/api/v1/observations/", {"period_after": value})
    assert response.status_code == 400
    assert "period_after" in response.json()


def test_the_schema_says_which_identifiers_each_filter_takes(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    params = {
        p["name"]: p.get("description", "")
        for p in schema["paths"]["/api/v1/memberships/"]["get"]["parameters"]
    }
    assert "abbreviation" in params["organisation"] and "national code" in params["organisation"]
    assert "key" in params["person"] and "id" in params["person"]
    assert "slug" in params["board"]
    observations = {
        p["name"]: p.get("description", "")
        for p in schema["paths"]["/api/v1/observations/"]["get"]["parameters"]
    }
    assert "2019/20" in observations["period_after"]
    assert "national code" in observations["subject"]
