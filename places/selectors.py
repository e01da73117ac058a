"""Reads for the system overview and the Place pages, as plain rows with numbers formatted."""

from __future__ import annotations

from governance.choices import OrganisationKind, Role
from governance.models import Board, Membership, Organisation
from metrics.choices import Category, Outcome
from metrics.models import HighImpactChange
from metrics.selectors import (
    format_number,
    member_rows,
    place_rows,
    system_rows,
    variation_counts,
)

from .choices import FactKind
from .models import Fact, Place, System


def system_overview(*, system: System | None = None):
    """The system (first by name when none is given), its Places with headline populations,
    and the system's own population fact."""
    system = system or System.objects.first()
    if system is None:
        return None, [], None
    population = (
        Fact.objects.filter(system=system, place=None, kind=FactKind.POPULATION, is_headline=True)
        .select_related("source_document")
        .first()
    )
    # the card shows the headline population and its citation
    places = Place.objects.filter(system=system).with_headline_population().order_by("name")
    return system, list(places), population


def system_counts(*, system_slug: str) -> dict:
    """How many Places, organisations, boards and seats a system has."""
    system = System.objects.get(slug=system_slug)
    return {
        "places": system.places.count(),
        "organisations": system.organisations.count(),
        "boards": system.boards.count(),
        "memberships": Membership.objects.filter(board__system=system).count(),
    }


def fact_row(fact: Fact) -> dict:
    """A figure as text: '103,443 residents', 'circa 270,000 people', with its source."""
    value = format_number(fact.value, 0 if fact.value is None or fact.value.is_integer() else 1)
    text = " ".join(part for part in (fact.qualifier, value, fact.unit) if part)
    return {
        "label": fact.label,
        "value": text,
        "as_written": fact.as_written,
        "text": fact.text,
        "note": fact.note,
        "topic": fact.topic,
        "citation": fact.citation,
    }


def system_dashboard(*, system: System | None = None) -> dict | None:
    """Everything the overview shows: Place cards with their SPC counts, the matrix of every
    metric and subject, the series in special-cause concern, the outcomes.

    A fixed number of queries, whatever the number of Places, metrics or series.
    """
    system, places, population = system_overview(system=system)
    if system is None:
        return None
    rows = system_rows(system_id=system.pk)
    # Which Places each organisation serves: its series count towards those Places' cards.
    serves: dict[int, list[int]] = {}
    for org_id, place_id in Organisation.places.through.objects.filter(
        organisation__system=system
    ).values_list("organisation_id", "place_id"):
        serves.setdefault(org_id, []).append(place_id)
    place_names = {p.pk: p.name for p in places}
    place_urls = {p.pk: p.get_absolute_url() for p in places}
    by_place: dict[int, list[dict]] = {p.pk: [] for p in places}
    for row in rows:
        if row["organisation_id"]:
            ids = serves.get(row["organisation_id"], [])
        else:
            ids = [row["place_id"]] if row["place_id"] in place_names else []
        row["places"] = [{"name": place_names[i], "url": place_urls[i]} for i in sorted(ids)]
        for i in ids:
            by_place.setdefault(i, []).append(row)
    cards = []
    for place in places:
        headline = place.headline_population[0] if place.headline_population else None
        cards.append(
            {
                "name": place.name,
                "url": place.get_absolute_url(),
                "population": fact_row(headline) if headline else None,
                "counts": variation_counts(by_place.get(place.pk, [])),
                "concerns": [r for r in by_place.get(place.pk, []) if r["is_concern"]],
            }
        )
    outcomes = []
    for value, label in Outcome.choices:
        metrics = {}
        for row in rows:
            if row["outcome"] == value:
                entry = metrics.setdefault(
                    row["metric_code"],
                    {
                        "name": row["metric_short_name"],
                        "url": row["metric_url"],
                        "synthetic": row["synthetic"],
                        "concern": 0,
                    },
                )
                entry["concern"] += row["is_concern"]
        outcomes.append({"label": label, "metrics": list(metrics.values())})
    counts = Fact.objects.filter(system=system, place=None, kind=FactKind.COUNT).select_related(
        "source_document"
    )
    return {
        "system": system,
        "population": fact_row(population) if population else None,
        "cards": cards,
        "rows": rows,
        "concerns": [r for r in rows if r["is_concern"]],
        "totals": variation_counts(rows),
        "outcomes": outcomes,
        "figures": [fact_row(f) for f in counts if f.value is not None],
    }


def _board_row(board: Board) -> dict:
    members = member_rows(board)
    chairs = [m for m in members if m["role_code"] in (Role.CHAIR, Role.CO_CHAIR)]
    return {
        "name": board.name,
        "abbreviation": board.abbreviation,
        "url": board.get_absolute_url(),
        "status": board.get_status_display(),
        "chair": "; ".join(
            f"{c['who']} ({c['organisation']})" if c["organisation"] else c["who"] for c in chairs
        ),
        "members": members,
        "member_count": len(members),
        "vacancies": sum(m["vacant"] for m in members),
        "citation": board.citation,
    }


def _hicm_applies(area: str, names: list[str]) -> bool:
    """Whether an assessment made for ``area`` covers a Place known by ``names`` (its own name
    and those of its local authorities); an assessment with no area covers every Place."""
    area = area.strip().lower()
    return not area or any(area == n.lower() or area in n.lower() for n in names)


def place_dashboard(*, place: Place) -> dict:
    """Everything a Place's page shows besides the Place itself, in a fixed number of queries:
    its boards with today's seats, its metric tiles, the workforce of the providers serving it,
    and the High Impact Change Model maturity that covers it."""
    # current: chair, members and vacancies of each board; place: links
    boards = [
        _board_row(b)
        for b in Board.objects.filter(place=place)
        .select_related("source_document")
        .with_current_members()
        .order_by("name")
    ]
    rows = place_rows(place=place)
    tiles: dict[str, list[dict]] = {label: [] for _, label in Category.choices}
    for row in rows:
        tiles.setdefault(row["category"], []).append(row)

    # Workforce: one row per provider, one column per documented workforce measure.
    workforce_label = Category.WORKFORCE.label
    documented = [r for r in tiles.get(workforce_label, []) if not r["synthetic"] and r["has_data"]]
    columns = sorted(
        {(r["metric_code"], r["metric_short_name"], r["unit"]) for r in documented},
        key=lambda c: (c[2] == "", c[1]),
    )
    providers: dict[str, dict] = {}
    for r in documented:
        provider = providers.setdefault(r["subject"], {"name": r["subject"], "cells": {}})
        provider["cells"][r["metric_code"]] = r
    workforce = {
        "columns": [
            {
                "name": name,
                "periods": sorted({r["period"] for r in documented if r["metric_code"] == code}),
                "sources": sorted(
                    {r["value_source"] for r in documented if r["metric_code"] == code} - {""}
                ),
            }
            for code, name, _ in columns
        ],
        "rows": [
            {
                "name": p["name"],
                "cells": [
                    {"column": name, "value": p["cells"].get(code, {}).get("value", "")}
                    for code, name, _ in columns
                ],
            }
            for p in sorted(providers.values(), key=lambda p: p["name"])
        ],
    }

    authorities = list(
        place.organisations.filter(kind=OrganisationKind.LOCAL_AUTHORITY).values_list(
            "name", flat=True
        )
    )
    hicm = []
    # assessments: current and planned maturity of each change
    for change in (
        HighImpactChange.objects.filter(system_id=place.system_id)
        .select_related("source_document")
        .prefetch_related("assessments")
    ):
        if not _hicm_applies(change.area, [place.name, *authorities]):
            continue
        latest = {}
        for a in change.assessments.all():
            latest[a.kind] = a
        current, planned = latest.get("current"), latest.get("planned")
        hicm.append(
            {
                "number": change.number,
                "name": change.name,
                "area": change.area,
                "current": current.get_maturity_display() if current else "Not assessed",
                "current_when": current.as_at_label if current else "",
                "planned": planned.get_maturity_display() if planned else "Not stated",
                "planned_when": planned.as_at_label if planned else "",
                "citation": change.citation,
            }
        )
    return {
        "boards": boards,
        "rows": rows,
        "tiles": [{"category": k, "rows": v} for k, v in tiles.items() if v],
        "counts": variation_counts(rows),
        "concerns": [r for r in rows if r["is_concern"]],
        "workforce": workforce,
        "hicm": hicm,
        "hicm_area": hicm[0]["area"] if hicm else "",
    }
