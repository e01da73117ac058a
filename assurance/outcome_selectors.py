"""Reads for the System Outcomes Framework and the finance figures: the system's outcomes page
and the outcomes and finance sections of each Place's page.

Each outcome shows the worst status of what sits beneath it — the priorities linked to it and
their metrics, and the metrics that serve it — read from the latest published snapshots.
"""

from __future__ import annotations

from django.db.models import Q

from governance.models import Organisation
from icsportal.notes import notes_once
from metrics import spc
from metrics.choices import SubjectType
from metrics.models import SeriesSummary
from metrics.selectors import RAG_WORDS, latest_snapshots, summary_row
from places.links import with_system
from places.models import Outcome, Place, Priority, System

from .choices import FinanceKind
from .models import FinanceFigure, FinancePrinciple, PriorityMetric, PriorityOutcome

VARIATION_RANK = {
    "concern_high": 3,
    "concern_low": 3,
    "neutral_high": 2,
    "neutral_low": 2,
    "common_cause": 1,
    "improvement_high": 0,
    "improvement_low": 0,
}
ASSURANCE_RANK = {"consistent_fail": 2, "hit_and_miss": 1, "consistent_pass": 0}
RAG_RANK = {"red": 3, "amber": 2, "green": 1, "grey": 0}


def worst(rows: list[dict]) -> dict:
    """The worst variation, assurance and RAG among series rows (each '' when none has one)."""
    with_data = [r for r in rows if r["has_data"]]

    def pick(field, rank):
        codes = [r[field] for r in with_data if r[field] in rank]
        return max(codes, key=rank.__getitem__) if codes else ""

    variation = pick("variation", VARIATION_RANK)
    assurance = pick("assurance", ASSURANCE_RANK)
    rag = pick("rag", RAG_RANK)
    return {
        "variation": variation,
        "variation_label": spc.LABELS.get(variation, "No data"),
        "assurance": assurance,
        "assurance_label": spc.LABELS.get(assurance, "No target"),
        "rag": rag,
        "rag_label": RAG_WORDS.get(rag, "No data"),
        "series": len(rows),
        "with_data": len(with_data),
    }


def _rows(*, system: System, place: Place | None, metric_ids: set[int], codes: set[str]):
    """Series rows of the linked metrics and of the metrics serving the outcomes: the Place's
    own, those of the organisations serving it and the system's of the linked metrics; or
    every series of the system."""
    summaries = (
        SeriesSummary.objects.filter(snapshot__in=latest_snapshots(system_id=system.pk))
        .filter(Q(series__metric_id__in=metric_ids) | Q(series__metric__outcome__in=codes))
        # series__metric…: names and units on each row; the subject: its name on each row
        .select_related(
            "series__metric__owner_board",
            "series__place",
            "series__organisation",
            "series__system",
        )
    )
    if place is not None:
        summaries = summaries.filter(
            Q(series__place=place)
            | Q(
                series__subject_type=SubjectType.ORGANISATION,
                series__organisation__in=Organisation.objects.filter(places=place),
            )
            | Q(series__subject_type=SubjectType.SYSTEM, series__metric_id__in=metric_ids)
        )
    by_metric: dict[int, list[dict]] = {}
    for summary in summaries:
        row = summary_row(summary)
        by_metric.setdefault(summary.series.metric_id, []).append(row)
    for rows in by_metric.values():
        rows.sort(key=lambda r: (r["subject_type"] != SubjectType.PLACE, r["subject"]))
    return by_metric


def _metric_entry(metric, rows: list[dict]) -> dict:
    return {
        "code": metric.code,
        "name": metric.short_name,
        "url": metric.get_absolute_url(),
        "rows": rows,
        "worst": worst(rows),
    }


def outcome_rollup(*, system: System, place: Place | None = None) -> dict:
    """The three outcomes → the priorities linked to them → their metrics, with the worst status
    beneath each; and the metrics that serve each outcome directly.

    For a Place fetched with its priorities prefetched (as its page does), four queries: the
    outcomes, the priorities' outcome links, their metric links and the series summaries;
    otherwise two more, for the priorities and the organisations serving each Place. The same
    whatever the number of rows.
    """
    outcomes = list(
        Outcome.objects.filter(system=system).select_related(
            "source_document", "statement_document"
        )
    )
    if place is not None:
        priorities = list(place.priorities.all())
        for p in priorities:
            p.place = place
        scope = Q(priority__place=place)
    else:
        priorities = list(
            Priority.objects.filter(place__system=system)
            .select_related("place", "source_document")
            .order_by("place__name", "order", "title")
        )
        scope = Q(priority__place__system=system)
    # system: each priority's link names it; the system is read already (no query per row)
    for p in priorities:
        if p.system_id == system.pk:
            p.system = system
    outcome_links: dict[int, list[PriorityOutcome]] = {}
    # source_document: each link's citation; created_by: who linked it
    for link in PriorityOutcome.objects.filter(scope).select_related(
        "source_document", "created_by"
    ):
        outcome_links.setdefault(link.outcome_id, []).append(link)
    metric_links: dict[int, list[PriorityMetric]] = {}
    # metric: named and linked under each priority
    for link in PriorityMetric.objects.filter(scope).select_related("metric"):
        metric_links.setdefault(link.priority_id, []).append(link)
    metric_ids = {link.metric_id for links in metric_links.values() for link in links}
    by_metric = _rows(
        system=system, place=place, metric_ids=metric_ids, codes={o.code for o in outcomes}
    )
    direct: dict[str, list[dict]] = {}
    for all_rows in by_metric.values():
        # A Place's page reads the system's series only as evidence for its priorities.
        rows = [r for r in all_rows if place is None or r["subject_type"] != SubjectType.SYSTEM]
        first = rows[0] if rows else {"outcome": ""}
        if first["outcome"]:
            direct.setdefault(first["outcome"], []).append(
                {
                    "code": first["metric_code"],
                    "name": first["metric_short_name"],
                    # the metric's page as this system has it (its owner, its series)
                    "url": with_system(first["metric_url"], system),
                    "rows": rows,
                    "worst": worst(rows),
                }
            )
    # A priority counts its own Place's series, the system's and those of the organisations
    # serving its Place, never another Place's (the system page reads every series).
    serving = (
        None
        if place is not None
        else set(
            Organisation.places.through.objects.filter(place__system=system).values_list(
                "organisation_id", "place_id"
            )
        )
    )

    def counts_for(priority: Priority, row: dict) -> bool:
        if serving is None or row["subject_type"] == SubjectType.SYSTEM:
            return True
        if row["subject_type"] == SubjectType.PLACE:
            return row["place_id"] == priority.place_id
        return (row["organisation_id"], priority.place_id) in serving

    by_pk = {p.pk: p for p in priorities}
    result = []
    linked_ids: set[int] = set()
    for outcome in outcomes:
        linked = []
        for link in outcome_links.get(outcome.pk, []):
            priority = by_pk.get(link.priority_id)
            if priority is None:
                continue
            linked_ids.add(priority.pk)
            metrics = [
                _metric_entry(
                    m.metric,
                    [r for r in by_metric.get(m.metric_id, []) if counts_for(priority, r)],
                )
                for m in metric_links.get(priority.pk, [])
            ]
            rows = [r for m in metrics for r in m["rows"]]
            linked.append(
                {"priority": priority, "link": link, "metrics": metrics, "worst": worst(rows)}
            )
        served = sorted(direct.get(outcome.code, []), key=lambda m: m["name"].lower())
        beneath = [r for item in linked for m in item["metrics"] for r in m["rows"]]
        beneath += [r for m in served for r in m["rows"]]
        result.append(
            {"outcome": outcome, "priorities": linked, "metrics": served, "worst": worst(beneath)}
        )
    return {
        "outcomes": result,
        "unlinked": [p for p in priorities if p.pk not in linked_ids],
        "priority_count": len(priorities),
    }


def board_outcomes(*, board) -> dict:
    """The roll-up a board answers for: its Place's priorities, or for a system-level board every
    Place's, in a fixed number of queries."""
    if board.place_id is not None:
        place = Place.objects.prefetch_related("priorities").get(pk=board.place_id)
        return {**outcome_rollup(system=place.system, place=place), "show_place": False}
    return {**outcome_rollup(system=board.system), "show_place": True}


def place_outcomes(*, place: Place) -> dict:
    """The outcomes section of a Place's page: the roll-up over the Place's priorities and the
    series on its page, in a fixed number of queries."""
    return outcome_rollup(system=place.system, place=place)


def finance_overview(*, system: System) -> dict:
    """The system's finance figures and principles with their citations (two queries)."""
    figures = list(
        FinanceFigure.objects.filter(system=system).select_related(
            "source_document", "organisation", "place", "parent"
        )
    )
    by_kind: dict[str, list[FinanceFigure]] = {value: [] for value in FinanceKind.values}
    for f in figures:
        by_kind[f.kind].append(f)
    principles = list(
        FinancePrinciple.objects.filter(system=system).select_related("source_document")
    )
    requirement = (
        by_kind[FinanceKind.EFFICIENCY_REQUIREMENT] + by_kind[FinanceKind.EFFICIENCY_SPLIT]
    )
    return {
        "underlying": by_kind[FinanceKind.UNDERLYING_POSITION],
        "requirement": by_kind[FinanceKind.EFFICIENCY_REQUIREMENT],
        "split": by_kind[FinanceKind.EFFICIENCY_SPLIT],
        "savings": by_kind[FinanceKind.SAVINGS_OPPORTUNITY],
        "place_targets": by_kind[FinanceKind.PLACE_EFFICIENCY_TARGET],
        "principles": principles,
        # Each group's notes, each clause once, for its "About these figures".
        "notes": {
            "underlying": finance_notes(by_kind[FinanceKind.UNDERLYING_POSITION]),
            "requirement": finance_notes(requirement),
            "savings": finance_notes(by_kind[FinanceKind.SAVINGS_OPPORTUNITY]),
            "place_targets": finance_notes(by_kind[FinanceKind.PLACE_EFFICIENCY_TARGET]),
        },
    }


def finance_notes(figures: list[FinanceFigure]) -> list[dict]:
    """The figures' notes, each clause once, with the figures it concerns."""
    return notes_once(figures, label=lambda f: f"{f.label}, {f.area}" if f.area else f.label)


def efficiency_requirement(*, system: System) -> dict:
    """The efficiency requirement and its parts, for the overview (one query)."""
    figures = list(
        FinanceFigure.objects.filter(
            system=system,
            kind__in=[FinanceKind.EFFICIENCY_REQUIREMENT, FinanceKind.EFFICIENCY_SPLIT],
        ).select_related("source_document", "organisation")
    )
    return {
        "requirement": [f for f in figures if f.kind == FinanceKind.EFFICIENCY_REQUIREMENT],
        "split": [f for f in figures if f.kind == FinanceKind.EFFICIENCY_SPLIT],
    }


def place_finance(*, place: Place) -> list[FinanceFigure]:
    """The figures for a Place: its own targets and the positions of the CCG footprints that
    serve it (one query)."""
    return list(
        FinanceFigure.objects.filter(
            Q(place=place) | Q(organisation__in=Organisation.objects.filter(places=place))
        )
        .select_related("source_document", "organisation")
        .order_by("kind", "order", "key")
    )
