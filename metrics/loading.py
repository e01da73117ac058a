"""Loading a system's metrics (with their documented targets, observations and statements) and
its High Impact Change Model assessments from the portal's fixture."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from governance.loading import GovernanceLoaded
from places.loading import FixtureWriter, PlacesLoaded, fixture_date

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
    for m in fixture["metrics"]:
        owner = m["owner_board"]
        owner_id = governance.boards[owner].pk if owner else None
        metric = _metric_load(item=m, writer=writer, system=system, owner_id=owner_id)
        writer.upsert(
            SystemMetric,
            {"system_id": system.pk, "metric_id": metric.pk},
            {"owner_board_id": owner_id, **writer.src(m)},
        )
        _metric_rows_load(
            metric=metric, item=m, writer=writer, places=places, governance=governance
        )
    for h in fixture["hicm"]:
        change = writer.upsert(
            HighImpactChange,
            {"system_id": places.system.pk, "number": h["number"]},
            {
                "name": h["name"],
                "area": h["area"],
                "plan_text": h["plan_text"],
                "note": h["note"],
                **writer.src(h),
            },
        )
        for a in h["assessments"]:
            writer.upsert(
                HICMAssessment,
                {"change_id": change.pk, "kind": a["kind"], "as_at_label": a["as_at_label"]},
                {"as_at": fixture_date(a["as_at"]), "maturity": a["maturity"], **writer.src(a)},
            )


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


def _metric_rows_load(
    *,
    metric: Metric,
    item: dict,
    writer: FixtureWriter,
    places: PlacesLoaded,
    governance: GovernanceLoaded,
) -> None:
    def series_for(subject_type: str, subject: str) -> Series:
        lookup = {"metric_id": metric.pk, "subject_type": subject_type}
        if subject_type == "organisation":
            lookup["organisation_id"] = governance.organisations[subject].pk
        elif subject_type == "place":
            lookup["place_id"] = places.places[subject].pk
        else:
            lookup["system_id"] = places.system.pk
        return writer.upsert(Series, lookup, {})

    for t in item["targets"]:
        series = series_for(t["subject_type"], t["subject"])
        writer.upsert(
            Target,
            {"series_id": series.pk, "period_start": fixture_date(t["period_start"])},
            {
                "period_end": fixture_date(t["period_end"]),
                "period_label": t["period_label"],
                "value": t["value"],
                "as_written": t["as_written"],
                "note": t["note"],
                **writer.src(t),
            },
        )
    for o in item["observations"]:
        series = series_for(o["subject_type"], o["subject"])
        writer.upsert(
            Observation,
            {"series_id": series.pk, "period_start": fixture_date(o["period_start"])},
            {
                "period_end": fixture_date(o["period_end"]),
                "value": o["value"],
                "provenance": Provenance.DOCUMENT,
                "as_written": o["as_written"],
                "note": o["note"],
                **writer.src(o),
            },
        )
    for order, st in enumerate(item["statements"]):
        writer.upsert(
            MetricStatement,
            {
                "system_id": places.system.pk,
                "metric_id": metric.pk,
                "kind": st["kind"],
                "order": order,
            },
            {
                "area": st["area"],
                "period_label": st["period_label"],
                "text": st["text"],
                "value": st["value"],
                "unit": st["unit"],
                "note": st["note"],
                **writer.src(st),
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
