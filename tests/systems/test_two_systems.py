"""Two systems side by side: Coventry and Warwickshire and a renamed copy of its data files
(Eastmoor and Northvale, built by ``build_renamed_system`` from the same extraction, editorial
file and documents), loaded, reloaded and removed without changing a row of the other."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Q

from assurance.models import (
    Commitment,
    EscalationRoute,
    FinanceFigure,
    FinancePrinciple,
    Risk,
)
from demo import england
from governance.models import (
    Appointment,
    Board,
    BoardStatement,
    Membership,
    Organisation,
    Person,
    ReportingLine,
)
from icsportal.loading import system_load, system_unload
from metrics.models import (
    HICMAssessment,
    HighImpactChange,
    Metric,
    MetricStatement,
    Observation,
    Series,
    SeriesSummary,
    Snapshot,
    SystemMetric,
    Target,
)
from places.models import DataQualityFlag, Document, Fact, Outcome, Place, Priority, System
from tests.backends import postgresql_only
from tests.systems.conftest import CW, EN, SECOND, SECOND_FIXTURE
from tests.systems.conftest import signed_in as _client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
EXTRACTION = ROOT.parent / "shared" / "data" / "cw_ics.json"
PRIORITY = "cov-prio-frailty"


def _series_of(system: System) -> Q:
    return Q(system=system) | Q(place__system=system) | Q(organisation__system=system)


def system_rows(system: System) -> dict:
    """Every row that belongs to ``system`` (and the national metrics it uses), by model:
    all of their fields, in id order. Two equal results are the same rows, unchanged."""
    series = Series.objects.filter(_series_of(system))
    querysets = {
        "system": System.objects.filter(pk=system.pk),
        "documents": Document.objects.filter(system=system),
        "places": Place.objects.filter(system=system),
        "facts": Fact.objects.filter(system=system),
        "priorities": Priority.objects.filter(system=system),
        "flags": DataQualityFlag.objects.filter(system=system),
        "outcomes": Outcome.objects.filter(system=system),
        "organisations": Organisation.objects.filter(system=system),
        "organisation places": Organisation.places.through.objects.filter(
            organisation__system=system
        ),
        "boards": Board.objects.filter(system=system),
        "required organisations": Board.required_organisations.through.objects.filter(
            board__system=system
        ),
        "reporting lines": ReportingLine.objects.filter(board__system=system),
        "statements": BoardStatement.objects.filter(board__system=system),
        "people": Person.objects.filter(system=system),
        "appointments": Appointment.objects.filter(person__system=system),
        "memberships": Membership.objects.filter(board__system=system),
        "metrics": Metric.objects.filter(uses__system=system),
        "metric uses": SystemMetric.objects.filter(system=system),
        "metric statements": MetricStatement.objects.filter(system=system),
        "series": series,
        "targets": Target.objects.filter(series__in=series),
        "observations": Observation.objects.filter(series__in=series),
        "high impact changes": HighImpactChange.objects.filter(system=system),
        "assessments": HICMAssessment.objects.filter(change__system=system),
        "finance figures": FinanceFigure.objects.filter(system=system),
        "finance principles": FinancePrinciple.objects.filter(system=system),
        "risks": Risk.objects.filter(system=system),
        "commitments": Commitment.objects.filter(system=system),
        "escalation": EscalationRoute.objects.filter(system=system),
        "snapshots": Snapshot.objects.filter(system=system),
        "summaries": SeriesSummary.objects.filter(snapshot__system=system),
    }
    return {name: list(qs.order_by("pk").values()) for name, qs in querysets.items()}


def test_loading_reloading_and_removing_the_second_system_leaves_the_first_as_it_was(
    second_fixture, cw_fixture
):
    cw = System.objects.get(slug=CW)
    before = system_rows(cw)
    report = system_load(fixture=second_fixture)
    assert report.changed > 1000
    assert system_rows(cw) == before
    assert system_load(fixture=second_fixture).changed == 0
    assert system_load(fixture=cw_fixture).changed == 0
    assert system_rows(cw) == before
    deleted = system_unload(slug=EN)
    assert deleted["places.Fact"] == len(second_fixture["facts"])
    assert system_rows(cw) == before
    assert not System.objects.filter(slug=EN).exists()
    # Nothing of the second system is left behind.
    assert not Document.objects.exclude(system=cw).exists()
    assert not SystemMetric.objects.exclude(system=cw).exists()


def test_each_system_is_whole_with_the_same_keys(both, second_fixture):
    cw, en = both
    for system in (cw, en):
        assert Place.objects.filter(system=system).count() == len(second_fixture["places"])
        assert Fact.objects.filter(system=system).count() == len(second_fixture["facts"])
        assert Priority.objects.filter(system=system).count() == len(second_fixture["priorities"])
        assert DataQualityFlag.objects.filter(system=system).count() == len(
            second_fixture["quality_flags"]
        )
        assert Outcome.objects.filter(system=system).count() == len(second_fixture["outcomes"])
        assert Board.objects.filter(system=system).count() == len(second_fixture["boards"])
        assert Person.objects.filter(system=system).count() == len(second_fixture["people"])
        assert Membership.objects.filter(board__system=system).count() == len(
            second_fixture["memberships"]
        )
        assert Risk.objects.filter(system=system).count() == len(second_fixture["risks"])
        assert Commitment.objects.filter(system=system).count() == len(
            second_fixture["commitments"]
        )
    # The same keys in both systems, each its own row.
    assert Place.objects.filter(key="place_rugby").count() == 2
    assert Place.objects.get(system=en, key="place_rugby").name == "Kestrel"
    assert Place.objects.get(system=cw, key="place_rugby").name == "Rugby"
    assert en.is_synthetic and not cw.is_synthetic


def test_national_metrics_are_shared_and_each_system_keeps_its_own_owner(both):
    cw, en = both
    nea = Metric.objects.get(code="bcf-nea")
    assert nea.system_id is None
    assert Metric.objects.filter(code__startswith="bcf-").count() == 4
    cw_use = SystemMetric.objects.get(system=cw, metric=nea)
    en_use = SystemMetric.objects.get(system=en, metric=nea)
    assert cw_use.owner_board.system == cw and en_use.owner_board.system == en
    assert cw_use.source_document.system == cw and en_use.source_document.system == en
    # The metric's own owner and citation stay the first system's.
    assert nea.owner_board.system == cw and nea.source_document.system == cw
    # Each system's series of it are its own.
    assert Series.objects.filter(_series_of(en), metric=nea).count() == (
        Series.objects.filter(_series_of(cw), metric=nea).count()
    )


def test_removing_the_first_system_hands_a_shared_metric_to_the_other(both):
    cw, en = both
    en_rows = system_rows(en)
    system_unload(slug=CW)
    nea = Metric.objects.get(code="bcf-nea")
    assert nea.owner_board.system == en and nea.source_document.system == en
    after = system_rows(en)
    # Only the shared metric rows changed (their owner and citation are now the second's).
    assert {k for k in en_rows if en_rows[k] != after[k]} == {"metrics"}


def test_pages_and_the_api_show_each_system_apart(both, commissioner_client):
    cw, en = both
    assert commissioner_client.get("/places/en-kestrel/").status_code == 200
    page = commissioner_client.get("/places/rugby/").content.decode()
    assert "Rugby" in page and "Kestrel" not in page
    board = Board.objects.get(system=en, key="board_peg")
    assert commissioner_client.get(board.get_absolute_url()).status_code == 200
    places = commissioner_client.get("/api/v1/places/", {"system": EN}).json()
    assert sorted(p["slug"] for p in places["results"]) == sorted(
        Place.objects.filter(system=en).values_list("slug", flat=True)
    )
    facts = commissioner_client.get("/api/v1/facts/", {"system": EN, "limit": 1}).json()
    assert facts["count"] == Fact.objects.filter(system=en).count()
    # A key both systems use is ambiguous without the system, and one Place with it.
    ambiguous = commissioner_client.get("/api/v1/priorities/", {"place": "place_rugby"})
    assert ambiguous.status_code == 400
    risks = commissioner_client.get("/api/v1/risks/", {"system": EN}).json()
    assert risks["count"] == Risk.objects.filter(system=en).count()
    # A national metric's page names the owner board of the system it shows.
    nea = Metric.objects.get(code="bcf-nea")
    for system in (cw, en):
        owner = SystemMetric.objects.get(system=system, metric=nea).owner_board
        page = commissioner_client.get(nea.get_absolute_url(), {"system": system.slug})
        assert owner.get_absolute_url() in page.content.decode()


def test_snapshots_of_each_system_hold_only_its_own_series(both):
    cw, en = both
    call_command("recompute_snapshots", verbosity=0)
    for system in (cw, en):
        mine = Series.objects.filter(_series_of(system))
        summaries = SeriesSummary.objects.filter(snapshot__system=system)
        assert summaries.exists()
        assert not summaries.exclude(series__in=mine).exists()


@postgresql_only("the England-scale generator loads with PostgreSQL's COPY")
def test_the_england_generator_runs_beside_both_systems(both):
    cw, en = both
    before = {s.slug: system_rows(s) for s in (cw, en)}
    england.england_generate(systems=2, places_per_system=2, metrics=5, months=24, seed=11)
    assert System.objects.filter(key__startswith="eng-").count() == 2
    assert {s.slug: system_rows(s) for s in (cw, en)} == before


@pytest.mark.skipif(not EXTRACTION.exists(), reason="the facts base is outside the repository")
def test_the_committed_second_system_is_rebuilt_byte_for_byte(tmp_path):
    out = tmp_path / "en_ics.json"
    call_command(
        "build_renamed_system",
        str(EXTRACTION),
        str(ROOT / "places" / "fixtures" / "cw_ics.editorial.json"),
        str(SECOND / "rename.json"),
        str(out),
        documents=str(ROOT / "places" / "fixtures" / "documents"),
        verbosity=0,
    )
    assert out.read_bytes() == SECOND_FIXTURE.read_bytes()
    for path in (SECOND / "documents").glob("*.txt"):
        assert (tmp_path / "documents" / path.name).read_bytes() == path.read_bytes()


def test_a_secretary_of_one_system_sees_another_only_if_granted(both):
    cw, en = both
    peg = Board.objects.get(system=en, key="board_peg")
    secretary = _client("en-secretary", "board_secretary", board_slugs=[peg.slug])
    assert secretary.get("/places/en-kestrel/").status_code == 200
    assert secretary.get(peg.get_absolute_url()).status_code == 200
    assert secretary.get("/places/rugby/").status_code == 404
    cw_board = Board.objects.get(system=cw, key="board_peg")
    assert secretary.get(cw_board.get_absolute_url()).status_code == 404
    assert secretary.get("/", {"system": CW}).status_code == 404
    series = secretary.get("/api/v1/series/", {"page_size": 500}).json()["results"]
    assert series and {s["id"] for s in series} <= set(
        Series.objects.filter(_series_of(en)).values_list("pk", flat=True)
    )
    places = secretary.get("/api/v1/places/").json()["results"]
    assert {p["slug"] for p in places} == set(
        Place.objects.filter(system=en).values_list("slug", flat=True)
    )
    # A key both systems use names the one row of the system the user sees.
    page = secretary.get(f"/outcomes/priorities/{PRIORITY}/")
    assert page.status_code == 200 and "Eastmoor" in page.content.decode()
    # Granted C&W as well, the secretary sees both.
    from governance.services import role_grant

    role_grant(username="en-secretary", role="board_secretary", system_slugs=[CW])
    assert secretary.get("/places/rugby/").status_code == 200


def test_a_commissioner_of_every_system_has_the_switcher(both):
    everyone = _client("all-commissioner", "commissioner")
    page = everyone.get("/").content.decode()
    assert 'name="system"' in page and "Eastmoor and Northvale" in page
    assert (
        "Eastmoor and Northvale Health and Care Partnership"
        in everyone.get("/", {"system": EN}).content.decode()
    )
    one = _client("cw-commissioner", "commissioner", system_slugs=[CW])
    assert 'name="system"' not in one.get("/").content.decode()
    assert one.get("/places/en-kestrel/").status_code == 404


def test_an_upload_names_an_organisation_within_its_system(both):
    from metrics.imports.errors import ImportFailed
    from metrics.imports.services import observations_import

    cw, en = both
    row = {
        "metric": "wf-headcount",
        "subject_type": "organisation",
        "period": "2019-09-30",
        "value": "1234",
    }
    with pytest.raises(ImportFailed) as refused:
        observations_import(rows=[{**row, "subject": "org_uhcw"}], file_name="api")
    assert "eastmoor-and-northvale/org_uhcw" in str(refused.value.errors)
    observations_import(rows=[{**row, "subject": f"{EN}/org_uhcw"}], file_name="api")
    written = Observation.objects.get(
        series__organisation__key="org_uhcw", period_start="2019-09-30", value=1234
    )
    assert written.series.organisation.system == en
