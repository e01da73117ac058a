"""Loading a system's organisations, boards, people and seats from the portal's fixture."""

from __future__ import annotations

from dataclasses import dataclass

from places.loading import FixtureWriter, PlacesLoaded, fixture_date, slugs_free_check
from places.models import Fact

from .models import (
    Appointment,
    Board,
    BoardStatement,
    BoardSuccession,
    Membership,
    Organisation,
    OrganisationSuccession,
    Person,
    ReportingLine,
    WorkstreamLead,
)


@dataclass(frozen=True)
class GovernanceLoaded:
    """The rows of the governance layer that the loaders above it refer to, by fixture key."""

    organisations: dict[str, Organisation]
    boards: dict[str, Board]


def governance_load(
    *, fixture: dict, writer: FixtureWriter, places: PlacesLoaded
) -> GovernanceLoaded:
    """Load the organisations, boards (with reporting lines and statements), people (with their
    appointments) and seats; a seat that exists is left as its board's secretary keeps it."""
    orgs = _organisations_load(fixture=fixture, writer=writer, places=places)
    boards = _boards_load(fixture=fixture, writer=writer, places=places, orgs=orgs)
    people = _people_load(fixture=fixture, writer=writer, places=places, orgs=orgs)
    _successions_load(
        fixture=fixture,
        writer=writer,
        places=places,
        bodies={"organisation": orgs, "board": boards},
    )
    for m in fixture["memberships"]:
        origin = f"{m['board']}/{m['person'] or m['on_behalf_of']}"
        board = boards[m["board"]]
        # A seat a board secretary has since changed is theirs: reloading creates a missing
        # seat but never overwrites one that exists.
        if Membership.objects.filter(board=board, origin_key=origin).exists():
            writer.count_unchanged(Membership)
            continue
        writer.upsert(
            Membership,
            {"board_id": board.pk, "origin_key": origin},
            {
                "person_id": people[m["person"]].pk if m["person"] else None,
                "on_behalf_of_id": orgs[m["on_behalf_of"]].pk if m["on_behalf_of"] else None,
                "role": m["role"],
                "label": m["label"],
                "voting": m["voting"],
                "person_not_named": m["person_not_named"],
                "start_date": fixture_date(m["start_date"]),
                "end_date": fixture_date(m["end_date"]),
                "note": m["note"],
                **writer.src(m),
            },
        )
    _workstream_leads_load(fixture=fixture, writer=writer, places=places, orgs=orgs, boards=boards)
    return GovernanceLoaded(organisations=orgs, boards=boards)


def _workstream_leads_load(
    *, fixture: dict, writer: FixtureWriter, places: PlacesLoaded, orgs: dict, boards: dict
) -> None:
    """Each workstream's leads: an organisation, a board or an unnamed post, with its source."""
    leads = fixture.get("workstream_leads", [])
    workstreams = {
        fact.key: fact
        for fact in Fact.objects.filter(
            system=places.system, key__in={lead["workstream"] for lead in leads}
        )
    }
    for lead in leads:
        writer.upsert(
            WorkstreamLead,
            {"workstream_id": workstreams[lead["workstream"]].pk, "key": lead["key"]},
            {
                "organisation_id": orgs[lead["organisation"]].pk if lead["organisation"] else None,
                "board_id": boards[lead["board"]].pk if lead["board"] else None,
                "role": lead["role"],
                "as_written": lead["as_written"],
                "note": lead["note"],
                "order": lead["order"],
                **writer.src(lead),
            },
        )


def _organisations_load(
    *, fixture: dict, writer: FixtureWriter, places: PlacesLoaded
) -> dict[str, Organisation]:
    orgs = {}
    for o in fixture["organisations"]:
        org = writer.upsert(
            Organisation,
            {"system_id": places.system.pk, "key": o["key"]},
            {
                "name": o["name"],
                "abbreviation": o["abbreviation"],
                "kind": o["kind"],
                "subtype": o["subtype"],
                "is_collective": o["is_collective"],
                "name_variants": o["name_variants"],
                "note": o["note"],
                **writer.src(o),
            },
        )
        writer.set_m2m(org, "places", {places.places[k].pk for k in o["places"]})
        orgs[o["key"]] = org
    return orgs


def _boards_load(
    *, fixture: dict, writer: FixtureWriter, places: PlacesLoaded, orgs: dict[str, Organisation]
) -> dict[str, Board]:
    slugs_free_check(Board, places.system, {b["slug"]: b["key"] for b in fixture["boards"]})
    boards = {}
    for b in fixture["boards"]:
        boards[b["key"]] = writer.upsert(
            Board,
            {"system_id": places.system.pk, "key": b["key"]},
            {
                "slug": b["slug"],
                "name": b["name"],
                "abbreviation": b["abbreviation"],
                "level": b["level"],
                "place_id": places.places[b["place"]].pk if b["place"] else None,
                "purpose": b["purpose"],
                "meeting_frequency": b["meeting_frequency"],
                "chair_arrangement": b["chair_arrangement"],
                "status": b["status"],
                "status_as_written": b["status_as_written"],
                "established": b["established"],
                "name_variants": b["name_variants"],
                "note": b["note"],
                **writer.src(b),
            },
        )
    # Second pass: a reporting line names a board that may come later in the fixture.
    for b in fixture["boards"]:
        board = boards[b["key"]]
        writer.set_m2m(
            board, "required_organisations", {orgs[k].pk for k in b["required_organisations"]}
        )
        for order, line in enumerate(b["reporting_lines"]):
            writer.upsert(
                ReportingLine,
                {"board_id": board.pk, "reports_to_id": boards[line["to"]].pk},
                {"order": order, **writer.src(line)},
            )
        for order, st in enumerate(b["statements"]):
            writer.upsert(
                BoardStatement,
                {"board_id": board.pk, "kind": st["kind"], "order": order},
                {"text": st["text"], "note": st["note"], **writer.src(st)},
            )
    return boards


def _people_load(
    *, fixture: dict, writer: FixtureWriter, places: PlacesLoaded, orgs: dict[str, Organisation]
) -> dict[str, Person]:
    people = {}
    for p in fixture["people"]:
        person = writer.upsert(
            Person,
            {"system_id": places.system.pk, "key": p["key"]},
            {
                "name": p["name"],
                "name_variants": p["name_variants"],
                "identity_note": p["identity_note"],
                **writer.src(p),
            },
        )
        people[p["key"]] = person
        for a in p["appointments"]:
            writer.upsert(
                Appointment,
                {"person_id": person.pk, "title": a["title"]},
                {
                    "organisation_id": orgs[a["organisation"]].pk if a["organisation"] else None,
                    "as_at": fixture_date(a["as_at"]),
                    "as_at_text": a["as_at_text"],
                    **writer.src(a),
                },
            )
    return people


def _successions_load(
    *, fixture: dict, writer: FixtureWriter, places: PlacesLoaded, bodies: dict[str, dict]
) -> None:
    """Which organisations and boards the documents say succeeded which, each with its line."""
    models = {"organisation": OrganisationSuccession, "board": BoardSuccession}
    for s in fixture.get("successions", []):
        found = bodies[s["body"]]
        # The origin key names the system: two systems' fixtures use the same body keys.
        origin = f"{places.system.key}/{s['predecessor']}/{s['successor'] or 'none named'}"
        writer.upsert(
            models[s["body"]],
            {"origin_key": origin},
            {
                "predecessor_id": found[s["predecessor"]].pk,
                "successor_id": found[s["successor"]].pk if s["successor"] else None,
                "kind": s["kind"],
                "date": fixture_date(s["date"]),
                "reason": s["reason"],
                "note": s["note"],
                **writer.src(s),
            },
        )
