"""Loading a system's metrics (with their documented targets, observations and statements) and
its High Impact Change Model assessments from the portal's fixture."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import ValidationError

from governance.loading import GovernanceLoaded
from places.loading import FixtureWriter, PlacesLoaded, Upsert, fixture_date

from .choices import NATIONAL_CATEGORIES, Provenance
from .models import (
    HICMAssessment,
    HighImpactChange,
    Metric,
    MetricStatement,
    Observation,
    Series,
    SystemMetric,
    Target,
)
from .reserved import validate_metric_code


def metrics_fixture_check(fixture: dict) -> None:
    """ValueError naming the metric and its field if the fixture gives a metric a code that is
    the path of one of the portal's pages (``metrics.reserved``); run before anything is
    written."""
    for item in fixture.get("metrics", []):
        try:
            validate_metric_code(item["code"])
        except ValidationError as exc:
            raise ValueError(f"metric {item['code']}, field code: {exc.messages[0]}") from None


def metrics_load(
    *,
    fixture: dict,
    writer: FixtureWriter,
    places: PlacesLoaded,
    governance: GovernanceLoaded,
) -> None:
    """Load every metric of the fixture with the system's use of it (its owner board and
    citation there), its series, targets, documented observations and statements, then the
    High Impact Changes and their assessments."""
    system = places.system
    uses, rows = [], MetricRows()
    for m in fixture["metrics"]:
        owner = m["owner_board"]
        owner_id = governance.boards[owner].pk if owner else None
        metric = _metric_load(item=m, writer=writer, system=system, owner_id=owner_id)
        uses.append(
            Upsert(
                {"system_id": system.pk, "metric_id": metric.pk},
                {"owner_board_id": owner_id, **writer.src(m)},
            )
        )
        _metric_rows(metric=metric, item=m, rows=rows)
    writer.upsert_all(SystemMetric, uses)
    _metric_rows_load(rows=rows, writer=writer, places=places, governance=governance)
    _hicm_load(fixture=fixture, writer=writer, system=system)


def _hicm_load(*, fixture: dict, writer: FixtureWriter, system) -> None:
    """The High Impact Changes and their assessments."""
    changes = [
        Upsert(
            {"system_id": system.pk, "number": h["number"]},
            {
                "name": h["name"],
                "area": h["area"],
                "plan_text": h["plan_text"],
                "note": h["note"],
                **writer.src(h),
            },
        )
        for h in fixture["hicm"]
    ]
    found = writer.upsert_all(HighImpactChange, changes)
    assessments = [
        Upsert(
            {"change_id": change.pk, "kind": a["kind"], "as_at_label": a["as_at_label"]},
            {"as_at": fixture_date(a["as_at"]), "maturity": a["maturity"], **writer.src(a)},
        )
        for change, h in zip(found, fixture["hicm"], strict=True)
        for a in h["assessments"]
    ]
    writer.upsert_all(HICMAssessment, assessments)


def _metric_load(*, item: dict, writer: FixtureWriter, system, owner_id: int | None) -> Metric:
    """The metric of a fixture record. A national one (its category is defined nationally) is
    shared: its definition is written only while no other system uses it, so loading one
    system never rewrites what another reads. A local one belongs to the system, and a code
    another system's metric holds is refused."""
    values = {
        "name": item["name"],
        "short_name": item["short_name"],
        "abbreviation": item["abbreviation"],
        "definition": item["definition"],
        "unit": item["unit"],
        "unit_note": item["unit_note"],
        "polarity": item["polarity"],
        "polarity_basis": item["polarity_basis"],
        "frequency": item["frequency"],
        "category": item["category"],
        "owner_board_id": owner_id,
        "outcome": item["outcome"],
        "decimal_places": item["decimal_places"],
        "minimum": item["minimum"],
        "maximum": item["maximum"],
        **writer.src(item),
    }
    national = item["category"] in NATIONAL_CATEGORIES
    found = Metric.objects.filter(code=item["code"]).first()
    if found is not None and found.system_id != (None if national else system.pk):
        owner = found.system.name if found.system_id else "a national metric"
        raise ValueError(
            f"metric {item['code']}: the code is already used by {owner}; give the system's "
            "metric another code in the editorial file"
        )
    shared = found is not None and (
        SystemMetric.objects.filter(metric=found).exclude(system=system).exists()
    )
    if shared:
        writer.count_unchanged(Metric)
        return found
    return writer.upsert(
        Metric, {"code": item["code"]}, {"system_id": None if national else system.pk, **values}
    )


class Subject(NamedTuple):
    """A series of a fixture: its metric, and its subject's type and fixture key."""

    metric_id: int
    subject_type: str
    key: str


@dataclass(frozen=True)
class SeriesRecord:
    """A fixture's target or observation, with the series it belongs to."""

    subject: Subject
    record: dict


@dataclass(frozen=True)
class StatementRecord:
    """A fixture's metric statement, with its metric and its place among the metric's."""

    metric_id: int
    order: int
    record: dict


@dataclass
class MetricRows:
    """The series, targets, observations and statements of every metric of a fixture, to be
    written together."""

    # An ordered set: each series once, in the order the fixture first names it.
    series: dict[Subject, None] = field(default_factory=dict)
    targets: list[SeriesRecord] = field(default_factory=list)
    observations: list[SeriesRecord] = field(default_factory=list)
    statements: list[StatementRecord] = field(default_factory=list)


def _metric_rows(*, metric: Metric, item: dict, rows: MetricRows) -> None:
    """Add a metric's targets, observations and statements to ``rows``."""
    for kind in ("targets", "observations"):
        for record in item[kind]:
            subject = Subject(metric.pk, record["subject_type"], record["subject"])
            rows.series[subject] = None
            getattr(rows, kind).append(SeriesRecord(subject, record))
    rows.statements += [
        StatementRecord(metric.pk, order, st) for order, st in enumerate(item["statements"])
    ]


def _metric_rows_load(
    *,
    rows: MetricRows,
    writer: FixtureWriter,
    places: PlacesLoaded,
    governance: GovernanceLoaded,
) -> None:
    """Write the series (each once), targets, observations and statements of ``rows``."""
    subjects = list(rows.series)
    lookups = []
    for subject in subjects:
        lookup = {"metric_id": subject.metric_id, "subject_type": subject.subject_type}
        if subject.subject_type == "organisation":
            lookup["organisation_id"] = governance.organisations[subject.key].pk
        elif subject.subject_type == "place":
            lookup["place_id"] = places.places[subject.key].pk
        else:
            lookup["system_id"] = places.system.pk
        lookups.append(Upsert(lookup, {}))
    found = writer.upsert_all(Series, lookups)
    series = {subject: s.pk for subject, s in zip(subjects, found, strict=True)}
    writer.upsert_all(
        Target,
        [_dated(t, series, writer, period_label=t.record["period_label"]) for t in rows.targets],
    )
    writer.upsert_all(
        Observation,
        [_dated(o, series, writer, provenance=Provenance.DOCUMENT) for o in rows.observations],
    )
    writer.upsert_all(
        MetricStatement,
        [
            Upsert(
                {
                    "system_id": places.system.pk,
                    "metric_id": st.metric_id,
                    "kind": st.record["kind"],
                    "order": st.order,
                },
                {
                    "area": st.record["area"],
                    "period_label": st.record["period_label"],
                    "text": st.record["text"],
                    "value": st.record["value"],
                    "unit": st.record["unit"],
                    "note": st.record["note"],
                    **writer.src(st.record),
                },
            )
            for st in rows.statements
        ],
    )


def _dated(
    row: SeriesRecord, series: dict[Subject, int], writer: FixtureWriter, **values
) -> Upsert:
    """A target's or a documented observation's row: found by its series and period start,
    with what both hold (and ``values``, what only one of them does)."""
    record = row.record
    return Upsert(
        {"series_id": series[row.subject], "period_start": fixture_date(record["period_start"])},
        {
            "period_end": fixture_date(record["period_end"]),
            "value": record["value"],
            "as_written": record["as_written"],
            "note": record["note"],
            **values,
            **writer.src(record),
        },
    )


def metrics_release(*, system) -> None:
    """Before ``system`` is removed: a national metric no other system uses goes with it; one
    that others use stays, and where its owner board or citation were this system's it takes
    another user's (the metric row is shared, so it must not point into a removed system)."""
    national = Metric.objects.filter(system=None, uses__system=system).select_related(
        "owner_board", "source_document"
    )
    for metric in national:
        other = (
            metric.uses.exclude(system=system)
            .select_related("owner_board", "source_document")
            .order_by("system_id")
            .first()
        )
        if other is None:
            metric.delete()
            continue
        if _cites_system(metric, system.pk):
            Metric.objects.filter(pk=metric.pk).update(
                owner_board=other.owner_board,
                source_document=other.source_document,
                source_line=other.source_line,
                also_sources=other.also_sources,
            )


def _cites_system(metric: Metric, system_id: int) -> bool:
    board, doc = metric.owner_board, metric.source_document
    return (board is not None and board.system_id == system_id) or (
        doc is not None and doc.system_id == system_id
    )
