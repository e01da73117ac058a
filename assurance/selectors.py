"""Reads for the system overview, the Place pages and a board's page, as plain rows with numbers
formatted."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Trim

from governance.choices import OrganisationKind, Role
from governance.models import Board, Organisation
from governance.selectors import boards_for_page, workstream_leads
from metrics.choices import AssessmentKind, Category, Maturity, SnapshotStatus
from metrics.models import HICMAssessment, HighImpactChange, Metric, Snapshot
from metrics.selectors import (
    format_number,
    latest_snapshots,
    member_rows,
    place_rows,
    system_rows,
    variation_counts,
)
from places.choices import FactKind
from places.links import with_system
from places.models import Fact, Place, System
from places.selectors import facts_and_flags, facts_by_topic, outcome_titles


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


def system_overview_head(*, system: System | None = None) -> dict | None:
    """The overview's parts that are not cached with the snapshots: the system (first by name
    when none is given), its headline population and its figures (three queries)."""
    system = system or System.objects.first()
    if system is None:
        return None
    facts, flags = facts_and_flags(system_id=system.pk)
    leads = workstream_leads(facts)
    for fact in facts:
        fact.lead_list = leads.get(fact.pk, [])
    population = next((f for f in facts if f.kind == FactKind.POPULATION and f.is_headline), None)
    figures = [f for f in facts if f.kind == FactKind.COUNT and f.value is not None]
    shown = {f.pk for f in figures} | ({population.pk} if population else set())
    return {
        "system": system,
        "population": fact_row(population) if population else None,
        "figures": [fact_row(f) for f in figures],
        # Every other fact of the system's own, by topic: the figures and the population
        # are shown above them.
        "fact_sections": fact_sections([f for f in facts if f.pk not in shown]),
        "flags": flags,
    }


def fact_row(fact: Fact) -> dict:
    """A figure as text: '103,443 residents', 'circa 270,000 people', with its source."""
    value = format_number(fact.value, 0 if fact.value is None or fact.value.is_integer() else 1)
    text = " ".join(part for part in (fact.qualifier, value, fact.unit) if part)
    return {
        "label": fact.plain_label,
        "value": text,
        "as_written": fact.as_written,
        "text": fact.text,
        "note": fact.note,
        "topic": fact.topic,
        # A dated event's date in its words, and as a machine-readable date where it has one.
        "date_as_written": fact.as_written if fact.date else "",
        "datetime": fact.date_datetime,
        "citation": fact.citation,
        "flags": getattr(fact, "flags", []),
        # A workstream's leads (``lead_list``, where attached): who, in what role, the source.
        "leads": [lead_row(lead) for lead in getattr(fact, "lead_list", [])],
    }


def lead_row(lead) -> dict:
    """A workstream's lead as a page shows it: its name (a board's linked), its role in the
    documents' words, the words that say so, and its source."""
    return {
        "name": lead.lead_name,
        "url": lead.board.get_absolute_url() if lead.board_id else "",
        "kind": lead.lead_kind,
        "role": lead.role if lead.role != lead.lead_name else "",
        "as_written": lead.as_written,
        "note": lead.note,
        "citation": lead.citation,
    }


def fact_sections(facts: list[Fact]) -> list[dict]:
    """Facts as rows (``fact_row``) in sections by kind and topic: ``kind`` (its name),
    ``topic`` and ``facts``."""
    return [
        {"kind": kind, "topic": topic, "facts": [fact_row(f) for f in group]}
        for kind, topic, group in facts_by_topic(facts)
    ]


# The overview's matrix shows this many metrics (each with all its subjects) a page, and no
# more series than MATRIX_SERIES_PER_PAGE (a row is about 4.7 KB of HTML at England scale,
# where 50 metrics of six subjects each were 1.4 MB).
MATRIX_METRICS_PER_PAGE = 50
MATRIX_SERIES_PER_PAGE = 40
# The overview lists this many series in special-cause concern, and links to the full list.
OVERVIEW_CONCERNS = 20
# A Place card names this many of its series in concern.
CARD_CONCERNS = 5
# A Place's page shows the first tiles of each category; the rest are on the category's pages
# (/places/<slug>/metrics/?category=…&page=…) of PLACE_TILES_PER_PAGE tiles. At England scale
# a tile is about 4 KB of HTML (up to 7 KB with its marked points), so 30 tiles (ten rows of
# three) keep a page well under 300 KB where 50 might not.
PLACE_TILES_PREVIEW = 6
PLACE_TILES_PER_PAGE = 30


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
        cards[-1]["concerns_shown"] = cards[-1]["concerns"][:CARD_CONCERNS]
        cards[-1]["concerns_more"] = len(cards[-1]["concerns"]) - CARD_CONCERNS
    outcomes = []
    for value, label in outcome_titles(system_id=system.pk).items():
        metrics = {}
        for row in rows:
            if row["outcome"] == value:
                entry = metrics.setdefault(
                    row["metric_code"],
                    {
                        "name": row["metric_short_name"],
                        # the metric's page as this system has it (its owner, its series)
                        "url": with_system(row["metric_url"], system),
                        "synthetic": row["synthetic"],
                        "concern": 0,
                    },
                )
                entry["concern"] += row["is_concern"]
        outcomes.append({"label": label, "metrics": list(metrics.values())})
    counts = Fact.objects.filter(system=system, place=None, kind=FactKind.COUNT).select_related(
        "source_document"
    )
    concerns = [r for r in rows if r["is_concern"]]
    return {
        "system": system,
        "population": fact_row(population) if population else None,
        "cards": cards,
        "rows": rows,
        "pages": matrix_pages(rows),
        "concerns": concerns,
        "concerns_shown": concerns[:OVERVIEW_CONCERNS],
        "totals": variation_counts(rows),
        "outcomes": outcomes,
        "figures": [fact_row(f) for f in counts if f.value is not None],
    }


def matrix_pages(rows: list[dict]) -> list[list[dict]]:
    """The matrix rows (sorted by metric) cut into pages of at most ``MATRIX_METRICS_PER_PAGE``
    metrics and ``MATRIX_SERIES_PER_PAGE`` series (unless one metric has more), a metric's
    subjects never split across pages; one page when there are none."""
    subjects: dict[str, int] = {}
    for row in rows:
        subjects[row["metric_code"]] = subjects.get(row["metric_code"], 0) + 1
    pages: list[list[dict]] = [[]]
    metrics_on_page, last = 0, None
    for row in rows:
        if row["metric_code"] != last:
            full = len(pages[-1]) + subjects[row["metric_code"]] > MATRIX_SERIES_PER_PAGE
            if metrics_on_page == MATRIX_METRICS_PER_PAGE or (metrics_on_page and full):
                pages.append([])
                metrics_on_page = 0
            metrics_on_page += 1
            last = row["metric_code"]
        pages[-1].append(row)
    return pages


def latest_snapshot_ids(*, system_id: int) -> list[int]:
    """The ids of the latest published snapshot of each of a system's scopes (one query)."""
    return sorted(latest_snapshots(system_id=system_id).values_list("pk", flat=True))


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


def board_for_page(slug: str) -> Board:
    """The board with everything its page shows, the metrics it owns included, in a fixed
    number of queries; Board.DoesNotExist for an unknown slug."""
    return (
        boards_for_page()
        .prefetch_related(Prefetch("metrics", queryset=Metric.objects.order_by("code")))
        .get(slug=slug)
    )


def place_boards(*, place: Place) -> list[dict]:
    """The Place's boards with today's chair, seats and vacancies (two queries)."""
    # current: chair, members and vacancies of each board; place: links
    return [
        _board_row(b)
        for b in Board.objects.filter(place=place)
        .select_related("source_document")
        .with_current_members()
        .order_by("name")
    ]


def with_snapshot_ids(places):
    """Places annotated with the ids of their latest published snapshot and of their
    system's (``place_snapshot_id``, ``system_snapshot_id``): the key of their cached tiles,
    read in the Place's own query."""
    published = Snapshot.objects.filter(status=SnapshotStatus.PUBLISHED).order_by(
        "-published_at", "-id"
    )
    return places.annotate(
        place_snapshot_id=Subquery(published.filter(place=OuterRef("pk")).values("pk")[:1]),
        system_snapshot_id=Subquery(
            published.filter(system=OuterRef("system_id"), place=None).values("pk")[:1]
        ),
    )


def place_snapshot_ids(place: Place) -> list[int]:
    return [i for i in (place.place_snapshot_id, place.system_snapshot_id) if i is not None]


def place_metrics(*, place: Place, snapshot_ids: list[int]) -> dict:
    """The metric part of a Place's page, from the snapshots ``snapshot_ids`` (the Place's and
    its system's): tiles by category (each with its counts, its first tiles and its pages of
    tiles), counts, concerns, the providers' workforce table and how the series on the page
    serve the three outcomes. Three queries."""
    rows = place_rows(place=place, snapshot_ids=snapshot_ids)
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
    outcomes = []
    for value, label in outcome_titles(system_id=place.system_id).items():
        serving = [r for r in rows if r["outcome"] == value]
        outcomes.append(
            {
                "label": label,
                "series": len(serving),
                "concern": sum(r["is_concern"] for r in serving),
            }
        )
    keys = {label: value for value, label in Category.choices}
    groups = []
    for label, group_rows in tiles.items():
        if not group_rows:
            continue
        pages = [
            group_rows[i : i + PLACE_TILES_PER_PAGE]
            for i in range(0, len(group_rows), PLACE_TILES_PER_PAGE)
        ]
        groups.append(
            {
                "category": label,
                "key": keys.get(label, label),
                "rows": group_rows,
                "counts": variation_counts(group_rows),
                "preview": group_rows[:PLACE_TILES_PREVIEW],
                "pages": pages,
            }
        )
    return {
        "rows": rows,
        "tiles": groups,
        "counts": variation_counts(rows),
        "concerns": [r for r in rows if r["is_concern"]],
        "workforce": workforce,
        "outcomes": outcomes,
    }


def place_hicm(*, place: Place) -> list[dict]:
    """The High Impact Change Model maturity that covers a Place, current and planned, in one
    query: a change made for an area covers the Place when the area is part of the Place's
    name or of the name of a local authority serving it; a change with no area covers every
    Place."""
    area = Trim("area")
    authority = Organisation.objects.filter(
        places=place, kind=OrganisationKind.LOCAL_AUTHORITY, name__icontains=OuterRef("area_t")
    )

    def latest(kind: str, field: str):
        # the newest assessment of that kind (an undated one counts as the newest)
        return Subquery(
            HICMAssessment.objects.filter(change=OuterRef("pk"), kind=kind)
            .order_by(F("as_at").desc(nulls_first=True), "-as_at_label")
            .values(field)[:1]
        )

    changes = (
        HighImpactChange.objects.filter(system_id=place.system_id)
        .select_related("source_document")
        .alias(area_t=area, place_name=Value(place.name))
        .filter(Q(area_t="") | Q(place_name__icontains=F("area_t")) | Exists(authority))
        .annotate(
            current_maturity=latest(AssessmentKind.CURRENT, "maturity"),
            current_when=latest(AssessmentKind.CURRENT, "as_at_label"),
            planned_maturity=latest(AssessmentKind.PLANNED, "maturity"),
            planned_when=latest(AssessmentKind.PLANNED, "as_at_label"),
        )
        .order_by("number")
    )
    labels = dict(Maturity.choices)
    return [
        {
            "number": change.number,
            "name": change.name,
            "area": change.area,
            "current": labels.get(change.current_maturity, "Not assessed"),
            "current_when": change.current_when or "",
            "planned": labels.get(change.planned_maturity, "Not stated"),
            "planned_when": change.planned_when or "",
            "citation": change.citation,
        }
        for change in changes
    ]
