"""The Popolo export, the metrics (national and local) and each system's use of a metric,
scoped by role with two systems loaded: a user granted one system sees only its rows; an
administrator, or a grant of every system, sees both."""

import pytest

from governance.models import Board, Membership, Organisation, Person
from metrics.models import Metric, SystemMetric
from tests.api.test_csv_tokens_popolo import popolo_validator
from tests.systems.conftest import CW, EN, signed_in

pytestmark = pytest.mark.django_db

POPOLO = "/api/v1/export/popolo.json"
NEA = "bcf-nea"


def _popolo(client) -> dict:
    response = client.get(POPOLO)
    assert response.status_code == 200
    return response.json()


def _valid(data: dict) -> None:
    for key, schema in (
        ("organizations", "organization.json"),
        ("persons", "person.json"),
        ("memberships", "membership.json"),
        ("events", "event.json"),
    ):
        validator = popolo_validator(schema)
        for item in data[key]:
            errors = [e.message for e in validator.iter_errors(item)]
            assert not errors, (item, errors)


def test_the_popolo_export_holds_only_the_systems_granted(both):
    cw, en = both
    data = _popolo(signed_in("en-analyst", "analyst", system_slugs=[EN]))
    _valid(data)
    boards = {o["id"] for o in data["organizations"] if o["id"].startswith("board/")}
    assert boards == {
        f"board/{slug}" for slug in Board.objects.filter(system=en).values_list("slug", flat=True)
    }
    assert not any(slug in boards for slug in (f"board/{b.slug}" for b in cw.boards.all()))
    organisations = [o for o in data["organizations"] if o["id"].startswith("organisation/")]
    assert len(organisations) == Organisation.objects.filter(system=en).count()
    assert len(data["persons"]) == Person.objects.filter(system=en).count()
    assert len(data["memberships"]) == Membership.objects.filter(board__system=en).count()
    assert {m["organization_id"] for m in data["memberships"]} <= boards


@pytest.mark.parametrize("role, grant", [("admin", {}), ("analyst", {"system_slugs": [CW, EN]})])
def test_the_popolo_export_of_every_system_granted(both, role, grant):
    data = _popolo(signed_in(f"both-{role}", role, **grant))
    _valid(data)
    assert len([o for o in data["organizations"] if o["id"].startswith("board/")]) == (
        Board.objects.count()
    )
    assert len(data["memberships"]) == Membership.objects.count()
    # Keys are unique only within a system: every id is still unique, and every reference
    # names an organisation or person of the export.
    ids = [o["id"] for o in data["organizations"]] + [p["id"] for p in data["persons"]]
    assert len(ids) == len(set(ids))
    for m in data["memberships"]:
        assert {m.get("person_id"), m.get("on_behalf_of_id")} - {None} <= set(ids)
    assert f"organisation/{CW}/org_uhcw" in ids and f"organisation/{EN}/org_uhcw" in ids


def _en_metrics(en) -> set[str]:
    """The codes of the metrics the second system uses, or measures, or has of its own."""
    return set(Metric.objects.filter(uses__system=en).values_list("code", flat=True)) | set(
        Metric.objects.filter(series__place__system=en).values_list("code", flat=True)
    )


def test_the_metrics_list_holds_the_metrics_of_the_systems_granted(both):
    cw, en = both
    local = Metric.objects.create(
        code="cw-local-only",
        system=cw,
        name="A C&W metric",
        short_name="C&W only",
        unit="people",
        polarity="up",
        frequency="monthly",
        category="workforce",
    )
    client = signed_in("en-commissioner", "commissioner", system_slugs=[EN])
    api = client.get("/api/v1/metrics/", {"page_size": 500}).json()
    codes = {m["code"] for m in api["results"]}
    assert NEA in codes and local.code not in codes
    assert codes == _en_metrics(en)
    assert client.get(f"/api/v1/metrics/{local.code}/").status_code == 404
    page = client.get("/metrics/", {"q": "only"})
    assert page.status_code == 200 and local.code not in page.content.decode()
    assert client.get(local.get_absolute_url()).status_code == 404
    # A national metric's row names the owner board of the second system, not C&W's.
    nea = Metric.objects.get(code=NEA)
    mine = SystemMetric.objects.get(system=en, metric=nea).owner_board
    theirs = SystemMetric.objects.get(system=cw, metric=nea).owner_board
    listed = client.get("/metrics/", {"q": NEA}).content.decode()
    assert mine.get_absolute_url() in listed and theirs.get_absolute_url() not in listed
    assert client.get(f"/api/v1/metrics/{NEA}/").json()["owner_board"]["slug"] == mine.slug
    response = client.get("/api/v1/metrics/", {"format": "csv", "q": NEA})
    csv = b"".join(response.streaming_content).decode()
    assert "owner_board.slug" in csv.splitlines()[0]
    assert f",{mine.slug}," in csv and f",{theirs.slug}," not in csv
    # Granted every system, the local metric is there.
    everyone = signed_in("all-commissioner", "commissioner")
    assert everyone.get(f"/api/v1/metrics/{local.code}/").status_code == 200


def test_each_systems_use_of_a_metric_with_its_owner_and_citation(both):
    cw, en = both
    admin = signed_in("uses-admin", "admin")
    rows = admin.get("/api/v1/system-metrics/", {"metric": NEA}).json()["results"]
    assert {r["system"]["slug"] for r in rows} == {CW, EN}
    for row in rows:
        use = SystemMetric.objects.get(pk=row["id"])
        assert row["metric"]["code"] == NEA and row["national"] is True
        assert row["owner_board"]["slug"] == use.owner_board.slug
        assert row["source"]["line"] == use.source_line
        assert (
            Board.objects.get(slug=row["owner_board"]["slug"]).system.slug == row["system"]["slug"]
        )
    filtered = admin.get("/api/v1/system-metrics/", {"system": EN, "page_size": 500}).json()
    assert filtered["count"] == SystemMetric.objects.filter(system=en).count()
    assert {r["system"]["slug"] for r in filtered["results"]} == {EN}
    # Scoped: a user of one system sees only its uses, even asking for the other's.
    one = signed_in("en-only", "analyst", system_slugs=[EN])
    mine = one.get("/api/v1/system-metrics/", {"page_size": 500}).json()
    assert mine["count"] == SystemMetric.objects.filter(system=en).count()
    assert one.get("/api/v1/system-metrics/", {"system": CW}).json()["count"] == 0
    other = SystemMetric.objects.filter(system=cw).first()
    assert one.get(f"/api/v1/system-metrics/{other.pk}/").status_code == 404
    # A bad filter is a JSON 400 naming the parameter.
    bad = one.get("/api/v1/system-metrics/", {"metric": "no-such-metric"})
    assert bad.status_code == 400 and "metric" in bad.json()


def test_the_schema_documents_each_systems_use_of_a_metric(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/system-metrics/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"system", "metric", "owner_board"} <= names
    properties = schema["components"]["schemas"]["SystemMetric"]["properties"]
    assert {"system", "metric", "national", "owner_board", "source"} <= set(properties)
