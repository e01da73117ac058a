"""Loading a system's finance, escalation route, risks and Long Term Plan commitments from the
portal's fixture."""

from __future__ import annotations

from governance.loading import GovernanceLoaded
from places.loading import FixtureWriter, PlacesLoaded, fixture_date

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
    for f in sorted(finance.get("figures", []), key=lambda f: f["parent"] is not None):
        figures[f["key"]] = writer.upsert(
            FinanceFigure,
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
    for p in finance.get("principles", []):
        writer.upsert(
            FinancePrinciple,
            {"system_id": system.pk, "number": p["number"]},
            {"text": p["text"], **writer.src(p)},
        )


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
    for r in fixture.get("risks", []):
        values = {
            "title": r["title"],
            "description": r["description"],
            "identified": r["identified"],
            "note": r["note"],
            **writer.src(r),
        }
        # Scores, owner, status and review date are people's decisions: a reload sets
        # them only on a risk it creates, and never overwrites them.
        lookup = {"system_id": system.pk, "key": r["key"]}
        if not Risk.objects.filter(**lookup).exists():
            values.update(status=RiskStatus.IDENTIFIED)
        writer.upsert(Risk, lookup, values)
    for c in fixture.get("commitments", []):
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
        # The owner and status are kept by people once loaded; a reload leaves them.
        lookup = {"system_id": system.pk, "key": c["key"]}
        if not Commitment.objects.filter(**lookup).exists():
            values.update(owner_board_id=boards[c["owner_board"]].pk if c["owner_board"] else None)
        writer.upsert(Commitment, lookup, values)
