"""The System Outcomes Framework and the finance figures: loaded from the documents with their
citations, rolled up by worst status, shown on the system and Place pages in constant queries."""

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assurance import risks as risk_services
from assurance.models import FinanceFigure, FinancePrinciple, PriorityMetric, PriorityOutcome
from assurance.outcome_selectors import outcome_rollup, worst
from governance.services import role_grant
from icsportal.loading import system_load
from places.extraction import ExtractionError, convert
from places.models import Outcome, Place, Priority
from tests.assurance.risk_data import publish_summary
from tests.factories import MetricFactory, SeriesFactory

pytestmark = pytest.mark.django_db


def test_three_outcomes_load_with_both_wordings_and_their_sources():
    outcomes = list(Outcome.objects.select_related("source_document", "statement_document"))
    assert [o.code for o in outcomes] == [
        "healthy_people",
        "strong_communities",
        "effective_services",
    ]
    first = outcomes[0]
    assert first.title == "Lead a healthy, independent and fulfilled life"
    assert first.citation == "Commissioning intentions 2020/21, line 57"
    assert first.statement_citation == "5-year plan, line 420"
    assert "'service' (singular) as written" in outcomes[2].note


def test_finance_figures_load_with_their_sources():
    figures = {f.key: f for f in FinanceFigure.objects.select_related("source_document")}
    requirement = figures["fig-efficiency-required-2019-20"]
    assert (requirement.value, requirement.unit, requirement.as_written) == (
        119.4,
        "GBP m",
        "£119.4m",
    )
    assert requirement.citation == "5-year plan, line 759"
    parts = {p.area: p.value for p in requirement.parts.all()}
    assert parts == {"commissioners": 51.7, "providers": 67.7}
    savings = {f.label: f.value for f in figures.values() if f.kind == "savings_opportunity"}
    assert sorted(savings.values()) == [2, 3, 6.3, 11.5, 12.65, 14]
    medicines = figures["sav-medicines"]
    assert medicines.qualifier == "up to" and medicines.period == ""
    wn = figures["fin-wn-combined-efficiency-2019-20"]
    assert (wn.as_written, wn.place.slug, wn.citation) == (
        "£21.5M",
        "warwickshire-north",
        "Place descriptions, line 192",
    )
    positions = [f for f in figures.values() if f.kind == "underlying_position" and f.organisation]
    assert sum(f.value for f in positions) == -101648
    assert all(f.citation == "5-year plan, line 740" for f in positions)
    # The data-quality doubt about the table's basis travels with the figures.
    assert all("not explicitly by CCG" in f.note for f in positions)
    principles = list(FinancePrinciple.objects.select_related("source_document"))
    assert [p.number for p in principles] == list(range(1, 9))
    assert principles[0].citation == "5-year plan, line 746"


def test_a_second_load_changes_nothing(cw_fixture):
    report = system_load(fixture=cw_fixture)
    assert report.changed == 0, report.lines()


def test_a_reload_keeps_peoples_risk_decisions(cw_fixture):
    from assurance.models import Risk

    admin = role_grant(username="reload-admin", role="admin").user
    risk = Risk.objects.get(key="risk-2019-1")
    risk_services.risk_review(actor=admin, risk=risk, likelihood=4, impact=4, reason="Scored")
    system_load(fixture=cw_fixture)
    risk.refresh_from_db()
    assert (risk.likelihood, risk.impact, risk.status) == (4, 4, "open")


def test_the_converter_names_the_record_it_cannot_convert():
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    extraction = json.loads(Path("/work/shared/data/cw_ics.json").read_text(encoding="utf-8"))
    editorial = json.loads(
        (root / "places" / "fixtures" / "cw_ics.editorial.json").read_text(encoding="utf-8")
    )
    broken = copy.deepcopy(editorial)
    del broken["outcomes"]["outcome_2"]
    with pytest.raises(ExtractionError, match="outcome_2"):
        convert(extraction, broken)
    broken = copy.deepcopy(editorial)
    del broken["ltp_programmes"]["Diabetes"]
    with pytest.raises(ExtractionError, match="ltp_diabetes_1"):
        convert(extraction, broken)


def test_the_committed_fixture_is_what_the_converter_makes(cw_fixture):
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    extraction = json.loads(Path("/work/shared/data/cw_ics.json").read_text(encoding="utf-8"))
    editorial = json.loads(
        (root / "places" / "fixtures" / "cw_ics.editorial.json").read_text(encoding="utf-8")
    )
    documents = root / "places" / "fixtures" / "documents"
    counts = {
        p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in documents.glob("*.txt")
    }
    built = convert(extraction, editorial, counts)
    for key in ("outcomes", "finance", "risks", "escalation_route", "commitments"):
        assert built[key] == cw_fixture[key], key


def test_worst_status_picks_the_worst_of_each():
    rows = [
        {
            "has_data": True,
            "variation": "improvement_high",
            "assurance": "consistent_pass",
            "rag": "green",
        },
        {"has_data": True, "variation": "concern_low", "assurance": "hit_and_miss", "rag": "amber"},
        {"has_data": False, "variation": "", "assurance": "consistent_fail", "rag": "red"},
    ]
    w = worst(rows)
    assert (w["variation"], w["assurance"], w["rag"]) == ("concern_low", "hit_and_miss", "amber")
    assert (w["series"], w["with_data"]) == (3, 2)
    assert worst([])["variation_label"] == "No data"


def _link(priority, outcome, metric):
    PriorityOutcome.objects.create(
        priority=priority, outcome=outcome, basis="person", reason="Agreed at the Place Exec"
    )
    PriorityMetric.objects.create(priority=priority, metric=metric, basis="person", reason="x")


def test_priorities_roll_up_to_outcomes_with_the_worst_status_beneath():
    place = Place.objects.get(slug="rugby")
    outcome = Outcome.objects.get(code="strong_communities")
    priority = Priority.objects.filter(place=place).first()
    metric = MetricFactory(outcome="")
    series = SeriesFactory(metric=metric, place=place)
    _link(priority, outcome, metric)
    publish_summary(series, variation="concern_high", assurance="consistent_fail", rag="red")

    rollup = outcome_rollup(system=place.system, place=place)
    item = next(o for o in rollup["outcomes"] if o["outcome"].pk == outcome.pk)
    [linked] = item["priorities"]
    assert linked["priority"] == priority
    assert linked["worst"]["variation"] == "concern_high"
    assert item["worst"]["assurance"] == "consistent_fail" and item["worst"]["rag"] == "red"
    assert priority not in rollup["unlinked"]
    # The other Places' pages do not carry Rugby's series.
    other = Place.objects.get(slug="coventry")
    other_rollup = outcome_rollup(system=other.system, place=other)
    assert all(not o["priorities"] for o in other_rollup["outcomes"])


def test_place_page_links_its_outcomes_and_finance_pages_with_sources(commissioner_client):
    page = commissioner_client.get("/places/warwickshire-north/").content.decode()
    assert 'id="outcomes"' in page and 'id="finance"' in page
    assert 'href="/places/warwickshire-north/outcomes/"' in page
    assert 'href="/places/warwickshire-north/finance/"' in page
    outcomes = commissioner_client.get("/places/warwickshire-north/outcomes/").content.decode()
    assert "Lead a healthy, independent and fulfilled life" in outcomes
    assert "not linked to an outcome" in outcomes
    finance = commissioner_client.get("/places/warwickshire-north/finance/").content.decode()
    assert "£21.5m" in finance and "Source: Place descriptions, line 192" in finance
    assert "£29,384,000 deficit" in finance  # the WN CCG footprint's underlying position


def test_system_pages_show_finance_and_outcomes(commissioner_client):
    overview = commissioner_client.get("/").content.decode()
    assert "£119.4m" in overview and "£51.7m" in overview and "£67.7m" in overview
    finance = commissioner_client.get("/finance/").content.decode()
    for text in ("£12.65m", "up to £3m", "£21.5m", "£54,246,000 deficit", "one system, one budget"):
        assert text in finance
    assert "Source: 5-year plan, line 354" in finance
    outcomes = commissioner_client.get("/outcomes/").content.decode()
    assert "Be part of a strong community" in outcomes
    assert "Healthy People; Stronger Communities and Effective Services" in outcomes
    assert "Priorities not yet linked to an outcome (21)" in outcomes


def _grow(place, n):
    """n more priorities, each linked to an outcome and a metric with a series and a summary,
    and n more risks of the Place with a linked metric."""
    admin = role_grant(username="grow-admin", role="admin").user
    outcome = Outcome.objects.get(code="effective_services")
    for i in range(n):
        priority = Priority.objects.create(
            key=f"grow-{place.slug}-{Priority.objects.count()}-{i}",
            system=place.system,
            place=place,
            title=f"Extra priority {i}",
            status="current",
        )
        metric = MetricFactory(outcome="effective_services")
        series = SeriesFactory(metric=metric, place=place)
        _link(priority, outcome, metric)
        publish_summary(series, variation="concern_high", rag="red")
        risk = risk_services.risk_create(
            actor=admin, system=place.system, place=place, title=f"Extra {i}", reason="x"
        )
        risk_services.risk_metrics_set(actor=admin, risk=risk, metrics=[metric], reason="x")


def test_place_page_query_count_does_not_grow_with_risks_priorities_or_metrics(
    commissioner_client,
):
    place = Place.objects.get(slug="rugby")

    def queries():
        counts = []
        for url in (place.get_absolute_url(), f"{place.get_absolute_url()}outcomes/"):
            # Counted with the Place's tiles cached, as a published snapshot leaves them.
            commissioner_client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                assert commissioner_client.get(url).status_code == 200
            counts.append(len(ctx.captured_queries))
        return counts

    _grow(place, 2)
    small = queries()
    _grow(place, 4)
    assert queries() == small


def test_outcomes_page_query_count_is_constant(commissioner_client):
    place = Place.objects.get(slug="rugby")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert commissioner_client.get("/outcomes/").status_code == 200
        return len(ctx.captured_queries)

    _grow(place, 2)
    small = queries()
    _grow(place, 4)
    assert queries() == small
