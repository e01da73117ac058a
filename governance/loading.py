"""Loading a system's organisations, boards, people and seats from the portal's fixture."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from places.loading import FixtureWriter, PlacesLoaded, Upsert, fixture_date, slugs_free_check
from places.models import Fact

from .choices import Role
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
    _memberships_load(fixture=fixture, writer=writer, people=people, orgs=orgs, boards=boards)
    _workstream_leads_load(fixture=fixture, writer=writer, places=places, orgs=orgs, boards=boards)
    return GovernanceLoaded(organisations=orgs, boards=boards)


def _memberships_load(
    *, fixture: dict, writer: FixtureWriter, people: dict, orgs: dict, boards: dict
) -> None:
    """The seats of the fixture that are missing; a seat a board secretary has since changed is
    theirs: reloading creates a missing seat but never overwrites one that exists."""
    seats = [
        (boards[m["board"]].pk, f"{m['board']}/{m['person'] or m['on_behalf_of']}", m)
        for m in fixture["memberships"]
    ]
    existing = set(
        Membership.objects.filter(
            board_id__in={board_id for board_id, _, _ in seats},
            origin_key__in={origin for _, origin, _ in seats},
        ).values_list("board_id", "origin_key")
    )
    rows = []
    for board_id, origin, m in seats:
        if (board_id, origin) in existing:
            writer.count_unchanged(Membership)
            continue
        # A seat the fixture names twice is created once, from its first record.
        existing.add((board_id, origin))
        rows.append(
            Upsert(
                {"board_id": board_id, "origin_key": origin},
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
        )
    _seats_overlap_check(rows)
    writer.upsert_all(Membership, rows)


def _seats_overlap_check(rows: list[Upsert]) -> None:
    """ValueError naming the seat unless the new seats keep ``Membership.clean``'s rules among
    themselves (one chair at a time on a board; a person on a board once at a time): ``clean``
    checks each against the seats already stored, which do not yet include the others."""
    held: dict[tuple, list[Upsert]] = defaultdict(list)
    for row in rows:
        board_id, v = row.lookup["board_id"], row.values
        claims = [((board_id, "chair"), "role")] if v["role"] == Role.CHAIR else []
        if v["person_id"]:
            claims.append(((board_id, v["person_id"]), "person"))
        for claim, field in claims:
            if any(_terms_overlap(v, other.values) for other in held[claim]):
                raise ValueError(
                    f"membership {row.lookup['origin_key']}: {field}: another seat of the "
                    "fixture on this board overlaps these dates"
                )
            held[claim].append(row)


def _terms_overlap(a: dict, b: dict) -> bool:
    """Whether two terms share a day (an empty start or end is open), as ``overlapping``."""
    starts_in_time = (
        a["end_date"] is None or b["start_date"] is None or b["start_date"] <= a["end_date"]
    )
    ends_in_time = (
        a["start_date"] is None or b["end_date"] is None or b["end_date"] >= a["start_date"]
    )
    return starts_in_time and ends_in_time


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
    rows = [
        Upsert(
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
        for lead in leads
    ]
    writer.upsert_all(WorkstreamLead, rows)


def _organisations_load(
    *, fixture: dict, writer: FixtureWriter, places: PlacesLoaded
) -> dict[str, Organisation]:
    rows = [
        Upsert(
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
        for o in fixture["organisations"]
    ]
    orgs = {org.key: org for org in writer.upsert_all(Organisation, rows)}
    writer.set_m2m_all(
        Organisation,
        "places",
        {
            orgs[o["key"]].pk: {places.places[k].pk for k in o["places"]}
            for o in fixture["organisations"]
        },
    )
    return orgs


def _boards_load(
    *, fixture: dict, writer: FixtureWriter, places: PlacesLoaded, orgs: dict[str, Organisation]
) -> dict[str, Board]:
    slugs_free_check(Board, places.system, {b["slug"]: b["key"] for b in fixture["boards"]})
    rows = [
        Upsert(
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
        for b in fixture["boards"]
    ]
    boards = {board.key: board for board in writer.upsert_all(Board, rows)}
    # After the boards: a reporting line names a board that may come later in the fixture.
    writer.set_m2m_all(
        Board,
        "required_organisations",
        {
            boards[b["key"]].pk: {orgs[k].pk for k in b["required_organisations"]}
            for b in fixture["boards"]
        },
    )
    lines, statements = [], []
    for b in fixture["boards"]:
        board = boards[b["key"]]
        lines += [
            Upsert(
                {"board_id": board.pk, "reports_to_id": boards[line["to"]].pk},
                {"order": order, **writer.src(line)},
            )
            for order, line in enumerate(b["reporting_lines"])
        ]
        statements += [
            Upsert(
                {"board_id": board.pk, "kind": st["kind"], "order": order},
                {"text": st["text"], "note": st["note"], **writer.src(st)},
            )
            for order, st in enumerate(b["statements"])
        ]
    writer.upsert_all(ReportingLine, lines)
    writer.upsert_all(BoardStatement, statements)
    return boards


def _people_load(
    *, fixture: dict, writer: FixtureWriter, places: PlacesLoaded, orgs: dict[str, Organisation]
) -> dict[str, Person]:
    rows = [
        Upsert(
            {"system_id": places.system.pk, "key": p["key"]},
            {
                "name": p["name"],
                "name_variants": p["name_variants"],
                "identity_note": p["identity_note"],
                **writer.src(p),
            },
        )
        for p in fixture["people"]
    ]
    people = {person.key: person for person in writer.upsert_all(Person, rows)}
    appointments = [
        Upsert(
            {"person_id": people[p["key"]].pk, "title": a["title"]},
            {
                "organisation_id": orgs[a["organisation"]].pk if a["organisation"] else None,
                "as_at": fixture_date(a["as_at"]),
                "as_at_text": a["as_at_text"],
                **writer.src(a),
            },
        )
        for p in fixture["people"]
        for a in p["appointments"]
    ]
    writer.upsert_all(Appointment, appointments)
    return people


def _successions_load(
    *, fixture: dict, writer: FixtureWriter, places: PlacesLoaded, bodies: dict[str, dict]
) -> None:
    """Which organisations and boards the documents say succeeded which, each with its line."""
    models = {"organisation": OrganisationSuccession, "board": BoardSuccession}
    rows: dict[str, list[Upsert]] = {body: [] for body in models}
    for s in fixture.get("successions", []):
        found = bodies[s["body"]]
        # The origin key names the system: two systems' fixtures use the same body keys.
        origin = f"{places.system.key}/{s['predecessor']}/{s['successor'] or 'none named'}"
        rows[s["body"]].append(
            Upsert(
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
        )
    for body, model in models.items():
        writer.upsert_all(model, rows[body])
