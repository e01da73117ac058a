"""Loading a system's finance, escalation route, risks and Long Term Plan commitments from the
portal's fixture."""

from __future__ import annotations

from governance.loading import GovernanceLoaded
from places.loading import FixtureWriter, PlacesLoaded, Upsert, fixture_date

from .choices import RiskStatus
from .models import Commitment, EscalationRoute, FinanceFigure, FinancePrinciple, Risk


def assurance_load(
    *,
    fixture: dict,
    writer: FixtureWriter,
    places: PlacesLoaded,
    governance: GovernanceLoaded,
) -> None:
    """Load the finance figures and principles, the escalation route, the risks and the
    commitments; what people have since decided (scores, owners, statuses) is never reset."""
    _finance_load(fixture=fixture, writer=writer, places=places, governance=governance)
    _risks_load(fixture=fixture, writer=writer, places=places, governance=governance)


def _finance_load(
    *, fixture: dict, writer: FixtureWriter, places: PlacesLoaded, governance: GovernanceLoaded
) -> None:
    system, orgs = places.system, governance.organisations
    finance = fixture.get("finance") or {}
    figures: dict[str, FinanceFigure] = {}
    # Parents first: a part names the figure it belongs to.
    for is_part in (False, True):
        rows = [
            Upsert(
                {"system_id": system.pk, "key": f["key"]},
                {
                    "place_id": places.places[f["place"]].pk if f["place"] else None,
                    "organisation_id": orgs[f["organisation"]].pk if f["organisation"] else None,
                    "parent_id": figures[f["parent"]].pk if f["parent"] else None,
                    "kind": f["kind"],
                    "label": f["label"],
                    "area": f["area"],
                    "value": f["value"],
                    "unit": f["unit"],
                    "as_written": f["as_written"],
                    "qualifier": f["qualifier"],
                    "period": f["period"],
                    "basis": f["basis"],
                    "note": f["note"],
                    "order": f["order"],
                    **writer.src(f),
                },
            )
            for f in finance.get("figures", [])
            if (f["parent"] is not None) == is_part
        ]
        figures |= {figure.key: figure for figure in writer.upsert_all(FinanceFigure, rows)}
    principles = [
        Upsert(
            {"system_id": system.pk, "number": p["number"]}, {"text": p["text"], **writer.src(p)}
        )
        for p in finance.get("principles", [])
    ]
    writer.upsert_all(FinancePrinciple, principles)


def _risks_load(
    *, fixture: dict, writer: FixtureWriter, places: PlacesLoaded, governance: GovernanceLoaded
) -> None:
    system, boards = places.system, governance.boards
    route = fixture.get("escalation_route")
    if route:
        writer.upsert(
            EscalationRoute,
            {"system_id": system.pk},
            {"board_id": boards[route["board"]].pk, "text": route["text"], **writer.src(route)},
        )
    # Scores, owner, status and review date of a risk, and the owner and status of a
    # commitment, are people's decisions: a reload sets them only on a row it creates, and
    # never overwrites them.
    risks = fixture.get("risks", [])
    loaded = set(
        Risk.objects.filter(system=system, key__in=[r["key"] for r in risks]).values_list(
            "key", flat=True
        )
    )
    rows = []
    for r in risks:
        values = {
            "title": r["title"],
            "description": r["description"],
            "identified": r["identified"],
            "note": r["note"],
            **writer.src(r),
        }
        if r["key"] not in loaded:
            values.update(status=RiskStatus.IDENTIFIED)
        rows.append(Upsert({"system_id": system.pk, "key": r["key"]}, values))
    writer.upsert_all(Risk, rows)
    _commitments_load(fixture=fixture, writer=writer, places=places, governance=governance)


def _commitments_load(
    *, fixture: dict, writer: FixtureWriter, places: PlacesLoaded, governance: GovernanceLoaded
) -> None:
    system, boards = places.system, governance.boards
    commitments = fixture.get("commitments", [])
    loaded = set(
        Commitment.objects.filter(
            system=system, key__in=[c["key"] for c in commitments]
        ).values_list("key", flat=True)
    )
    rows = []
    for c in commitments:
        values = {
            "programme": c["programme"],
            "programme_slug": c["programme_slug"],
            "text": c["text"],
            "target_year": c["target_year"],
            "year_qualifier": c["year_qualifier"],
            "due_date": fixture_date(c["due_date"]),
            "owner_note": c["owner_note"],
            "figures": c["figures"],
            "note": c["note"],
            "order": c["order"],
            **writer.src(c),
        }
        if c["key"] not in loaded:
            values.update(owner_board_id=boards[c["owner_board"]].pk if c["owner_board"] else None)
        rows.append(Upsert({"system_id": system.pk, "key": c["key"]}, values))
    writer.upsert_all(Commitment, rows)
