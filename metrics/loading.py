"""Loading a system's metrics (with their documented targets, observations and statements) and
its High Impact Change Model assessments from the portal's fixture."""

from __future__ import annotations

from governance.loading import GovernanceLoaded
from places.loading import FixtureWriter, PlacesLoaded, fixture_date

from .choices import Provenance
from .models import (
    HICMAssessment,
    HighImpactChange,
    Metric,
    MetricStatement,
    Observation,
    Series,
    Target,
)


def metrics_load(
    *,
    fixture: dict,
    writer: FixtureWriter,
    places: PlacesLoaded,
    governance: GovernanceLoaded,
) -> None:
    """Load every metric of the fixture with its series, targets, documented observations and
    statements, then the High Impact Changes and their assessments."""
    for m in fixture["metrics"]:
        owner = m["owner_board"]
        metric = writer.upsert(
            Metric,
            {"code": m["code"]},
            {
                "name": m["name"],
                "short_name": m["short_name"],
                "abbreviation": m["abbreviation"],
                "definition": m["definition"],
                "unit": m["unit"],
                "unit_note": m["unit_note"],
                "polarity": m["polarity"],
                "polarity_basis": m["polarity_basis"],
                "frequency": m["frequency"],
                "category": m["category"],
                "owner_board_id": governance.boards[owner].pk if owner else None,
                "outcome": m["outcome"],
                "decimal_places": m["decimal_places"],
                "minimum": m["minimum"],
                "maximum": m["maximum"],
                **writer.src(m),
            },
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
            {"metric_id": metric.pk, "kind": st["kind"], "order": order},
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
