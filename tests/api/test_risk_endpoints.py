"""The risk register, commitments, outcomes and finance endpoints: the shared endpoint checks
(list, detail, 401/403, pagination, CSV, constant queries) and their filters."""

import pytest

from assurance import risks as risk_services
from assurance.models import Commitment, FinanceFigure, FinancePrinciple, Risk
from governance.services import role_grant
from places.models import Outcome, Place, System
from tests.api.test_endpoints import EndpointTests
from tests.factories import MetricFactory

pytestmark = pytest.mark.django_db


def _admin():
    return role_grant(username="api-risk-admin", role="admin").user


def add_risks(n):
    admin, system = _admin(), System.objects.first()
    metric = MetricFactory()
    for i in range(n):
        risk = risk_services.risk_create(
            actor=admin,
            system=system,
            title=f"API risk {Risk.objects.count()} {i}",
            reason="x",
            likelihood=5,
            impact=5,
            place=Place.objects.first(),
        )
        risk_services.risk_metrics_set(actor=admin, risk=risk, metrics=[metric], reason="x")
        risk_services.action_create(actor=admin, risk=risk, description="Act")


def add_commitments(n):
    system = System.objects.first()
    for i in range(n):
        Commitment.objects.create(
            key=f"extra-commitment-{Commitment.objects.count()}-{i}",
            system=system,
            programme="Cancer",
            programme_slug="cancer",
            text="Extra",
        )


def add_outcomes(n):
    for _ in range(n):
        system = System.objects.create(
            key=f"sys-o-{System.objects.count()}", slug=f"sys-o-{System.objects.count()}", name="S"
        )
        Outcome.objects.create(
            key=f"o-{system.slug}", system=system, code="healthy_people", number=1, title="Healthy"
        )


def add_figures(n):
    system = System.objects.first()
    for i in range(n):
        FinanceFigure.objects.create(
            key=f"extra-fig-{FinanceFigure.objects.count()}-{i}",
            system=system,
            kind="savings_opportunity",
            label="Extra",
        )


def add_principles(n):
    system = System.objects.first()
    top = FinancePrinciple.objects.count() + 10
    for i in range(n):
        FinancePrinciple.objects.create(system=system, number=top + i, text="Extra")


class TestRisks(EndpointTests):
    url, model, lookup = "/api/v1/risks/", Risk, "key"
    add = staticmethod(add_risks)
    max_queries = 5  # count, page, metric links, actions, open escalations


class TestCommitments(EndpointTests):
    url, model, lookup = "/api/v1/commitments/", Commitment, "key"
    add = staticmethod(add_commitments)


class TestOutcomes(EndpointTests):
    url, model, lookup = "/api/v1/outcomes/", Outcome, "key"
    add = staticmethod(add_outcomes)
    max_queries = 4  # count, page, priority links (with places), their metric links


class TestFinanceFigures(EndpointTests):
    url, model, lookup = "/api/v1/finance-figures/", FinanceFigure, "key"
    add = staticmethod(add_figures)


class TestFinancePrinciples(EndpointTests):
    url, model = "/api/v1/finance-principles/", FinancePrinciple
    add = staticmethod(add_principles)


def test_risk_filters_and_escalation(analyst):
    admin = _admin()
    risk = Risk.objects.get(key="risk-2019-1")
    risk_services.risk_review(actor=admin, risk=risk, likelihood=5, impact=3, reason="Deficit")
    body = analyst.get("/api/v1/risks/", {"rating": "red"}).json()
    assert [r["key"] for r in body["results"]] == ["risk-2019-1"]
    [row] = body["results"]
    assert row["score"] == 15 and row["escalated_to"] == (
        "integrated-care-system-quality-surveillance-group"
    )
    assert row["source"]["citation"] == "5-year plan, line 798"
    assert analyst.get("/api/v1/risks/", {"escalated": "true"}).json()["count"] == 1
    assert analyst.get("/api/v1/risks/", {"status": "identified"}).json()["count"] == 9
    assert analyst.get("/api/v1/risks/", {"rating": "violet"}).status_code == 400
    assert analyst.get("/api/v1/risks/", {"board": "no-such-board"}).status_code == 400
    detail = analyst.get("/api/v1/risks/risk-2019-1/").json()
    assert detail["escalations"][0]["escalated_by"] == admin.username
    assert detail["reviews"][0]["reason"] == "Deficit"


def test_commitment_and_finance_filters(analyst):
    body = analyst.get("/api/v1/commitments/", {"programme": "diabetes"}).json()
    assert body["count"] == 6
    assert analyst.get("/api/v1/commitments/", {"programme": "dentistry"}).status_code == 400
    overdue = analyst.get("/api/v1/commitments/", {"overdue": "true", "page_size": 100}).json()
    assert overdue["count"] > 0 and all(r["overdue"] for r in overdue["results"])
    wn = analyst.get("/api/v1/finance-figures/", {"place": "warwickshire-north"}).json()
    assert {r["key"] for r in wn["results"]} == {
        "fin-wn-combined-efficiency-2019-20",
        "fin-underlying-warwickshire-north",
    }
    savings = analyst.get("/api/v1/finance-figures/", {"kind": "savings_opportunity"}).json()
    assert savings["count"] == 6
    outcomes = analyst.get("/api/v1/outcomes/").json()["results"]
    assert [o["code"] for o in outcomes] == [
        "healthy_people",
        "strong_communities",
        "effective_services",
    ]
    assert outcomes[0]["statement_citation"] == "5-year plan, line 420"
