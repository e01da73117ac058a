"""Illustrative (synthetic) monthly series, so that a new portal shows living dashboards.

Every metric made here is marked ``is_synthetic`` and every observation has provenance
``synthetic``; pages and the API label them "synthetic (illustrative)". The series are shaped
to sit around the targets the documents state, and they never replace a documented value.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from governance.models import Organisation
from metrics.choices import Category, Frequency, Polarity, Provenance, SubjectType
from metrics.models import Metric, Observation, Series, Target
from places.models import Fact, Place, System

from . import outcomes


@dataclass(frozen=True)
class Shape:
    """How one synthetic series behaves around its level."""

    level: float
    noise: float  # standard deviation, in the metric's unit
    seasonal: float = 0.0  # amplitude of the winter peak
    step_at: int | None = None  # month index of a step change
    step: float = 0.0
    trend: float = 0.0  # change per month
    decimals: int = 1
    minimum: float | None = 0.0
    maximum: float | None = None


@dataclass(frozen=True)
class SyntheticMetric:
    code: str
    name: str
    short_name: str
    unit: str
    polarity: str
    category: str
    outcome: str
    based_on: str  # the documented metric whose target it sits around ("" for none)
    minimum: float | None = 0.0
    maximum: float | None = None
    decimal_places: int = 1


METRICS = [
    SyntheticMetric(
        "syn-nea-monthly",
        "Non-elective admissions per month (illustrative)",
        "NEA per month",
        "non-elective spells",
        Polarity.LOWER_IS_BETTER,
        Category.BCF,
        outcomes.EFFECTIVE_SERVICES,
        "bcf-nea",
        decimal_places=0,
    ),
    SyntheticMetric(
        "syn-dtoc-monthly",
        "Delayed transfers of care, average daily delays (illustrative)",
        "DTOC per day",
        "average daily delays",
        Polarity.LOWER_IS_BETTER,
        Category.BCF,
        outcomes.EFFECTIVE_SERVICES,
        "bcf-dtoc",
    ),
    SyntheticMetric(
        "syn-reablement-monthly",
        "Older people at home 91 days after reablement (illustrative)",
        "Reablement %",
        "%",
        Polarity.HIGHER_IS_BETTER,
        Category.BCF,
        outcomes.HEALTHY_PEOPLE,
        "bcf-reablement",
        maximum=100.0,
    ),
    SyntheticMetric(
        "syn-place-nea-monthly",
        "Non-elective admissions per month by Place (illustrative)",
        "Place NEA per month",
        "non-elective spells",
        Polarity.LOWER_IS_BETTER,
        Category.ACTIVITY,
        outcomes.EFFECTIVE_SERVICES,
        "",
        decimal_places=0,
    ),
    SyntheticMetric(
        "syn-sickness-monthly",
        "Sickness absence rate by month (illustrative)",
        "Sickness %",
        "%",
        Polarity.LOWER_IS_BETTER,
        Category.WORKFORCE,
        outcomes.EFFECTIVE_SERVICES,
        "wf-sickness",
        maximum=100.0,
        decimal_places=2,
    ),
    SyntheticMetric(
        "syn-vacancy-monthly",
        "Vacancy rate by month (illustrative)",
        "Vacancy %",
        "%",
        Polarity.LOWER_IS_BETTER,
        Category.WORKFORCE,
        outcomes.EFFECTIVE_SERVICES,
        "wf-vacancy",
        maximum=100.0,
        decimal_places=2,
    ),
]

FIRST_MONTH = dt.date(2016, 4, 1)
MONTHS = 48  # April 2016 to March 2020: the years the documents plan for


def month(index: int) -> tuple[dt.date, dt.date]:
    """The first and last day of month ``index`` after FIRST_MONTH."""
    y, m = divmod(FIRST_MONTH.month - 1 + index, 12)
    start = dt.date(FIRST_MONTH.year + y, m + 1, 1)
    nxt = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def series_values(shape: Shape, rng: np.random.Generator, months: int = MONTHS) -> np.ndarray:
    """Level + winter seasonality + trend + step + noise, rounded and clipped to the range."""
    t = np.arange(months)
    # Month 0 is April; the peak is in January (index 9 of each year).
    winter = shape.seasonal * np.cos(2 * np.pi * (t - 9) / 12)
    values = shape.level + winter + shape.trend * t + rng.normal(0, shape.noise, months)
    if shape.step_at is not None:
        values = values + np.where(t >= shape.step_at, shape.step, 0.0)
    lo = -np.inf if shape.minimum is None else shape.minimum
    hi = np.inf if shape.maximum is None else shape.maximum
    return np.round(np.clip(values, lo, hi), shape.decimals)


def _latest_documented(code: str, organisation: Organisation) -> float | None:
    obs = (
        Observation.objects.filter(series__metric__code=code, series__organisation=organisation)
        .order_by("-period_start")
        .first()
    )
    return obs.value if obs else None


def plan(system: System) -> list[tuple[SyntheticMetric, str, object, Shape, list[Target]]]:
    """What to generate for a system: (metric, subject type, subject, shape, targets).

    Levels come from the documents: BCF targets for the county footprint, the workforce
    table for each provider. A metric whose documented source is missing is left out.
    """
    out = []
    by_code = {m.code: m for m in METRICS}
    bcf_targets = Target.objects.filter(
        series__metric__category=Category.BCF,
        series__metric__is_synthetic=False,
        series__organisation__system=system,
        value__isnull=False,
    ).select_related("series__organisation", "series__metric", "source_document")
    grouped: dict[tuple[str, int], list[Target]] = {}
    for target in bcf_targets.order_by("period_start"):
        grouped.setdefault((target.series.metric.code, target.series.organisation_id), []).append(
            target
        )
    for (code, _), targets in grouped.items():
        org = targets[-1].series.organisation
        latest = targets[-1].value
        if code == "bcf-nea":
            monthly = latest / 12
            shape = Shape(
                level=monthly * 1.03,
                noise=monthly * 0.025,
                seasonal=monthly * 0.06,
                step_at=30,
                step=-monthly * 0.05,
                decimals=0,
            )
            out.append((by_code["syn-nea-monthly"], SubjectType.ORGANISATION, org, shape, targets))
        elif code == "bcf-dtoc":
            shape = Shape(level=latest * 1.25, noise=latest * 0.05, step_at=32, step=-latest * 0.3)
            out.append((by_code["syn-dtoc-monthly"], SubjectType.ORGANISATION, org, shape, targets))
        elif code == "bcf-reablement":
            shape = Shape(level=latest - 3, noise=1.2, trend=0.12, maximum=100.0)
            out.append(
                (by_code["syn-reablement-monthly"], SubjectType.ORGANISATION, org, shape, targets)
            )
    places = list(Place.objects.filter(system=system).order_by("pk"))
    populations = {
        f.place_id: f.value
        for f in Fact.objects.filter(place__in=places, kind="population", is_headline=True)
        if f.value
    }
    # A Place whose documents state no population gets the rest of the system's population.
    rest = (system.population or 0) - sum(populations.values())
    for place in places:
        population = populations.get(place.pk) or (rest if rest > 0 else None)
        if population is None:
            continue
        # About 9 non-elective spells per 1,000 residents a month.
        level = population * 0.009
        shape = Shape(
            level=level, noise=level * 0.03, seasonal=level * 0.08, trend=level * 0.002, decimals=0
        )
        out.append((by_code["syn-place-nea-monthly"], SubjectType.PLACE, place, shape, []))
    providers = (
        Organisation.objects.filter(system=system, series__metric__code="wf-sickness")
        .distinct()
        .order_by("pk")
    )
    for i, org in enumerate(providers):
        sickness = _latest_documented("wf-sickness", org)
        vacancy = _latest_documented("wf-vacancy", org)
        if sickness is not None:
            shape = Shape(
                level=sickness,
                noise=0.2,
                seasonal=0.4,
                decimals=2,
                maximum=100.0,
                step_at=36 if i % 2 else None,
                step=0.6,
            )
            out.append((by_code["syn-sickness-monthly"], SubjectType.ORGANISATION, org, shape, []))
        if vacancy is not None:
            shape = Shape(level=vacancy + 1.5, noise=0.35, trend=-0.03, decimals=2, maximum=100.0)
            out.append((by_code["syn-vacancy-monthly"], SubjectType.ORGANISATION, org, shape, []))
    return out


@transaction.atomic
def synthetic_generate(*, system: System, seed: int = 2019) -> dict[str, int]:
    """Create or refresh the illustrative series of a system; deterministic for a seed.

    Returns counts of metrics, series and observations written. Observations of other
    provenance are never replaced.
    """
    counts = {"metrics": 0, "series": 0, "observations": 0, "targets": 0}
    metrics: dict[str, Metric] = {}
    for spec, subject_type, subject, shape, targets in plan(system):
        metric = metrics.get(spec.code)
        if metric is None:
            basis = Metric.objects.filter(code=spec.based_on).first() if spec.based_on else None
            metric, _ = Metric.objects.update_or_create(
                code=spec.code,
                defaults={
                    "name": spec.name,
                    "short_name": spec.short_name,
                    "definition": (
                        f"Illustrative monthly series generated by the portal around "
                        f"'{basis.name}'."
                        if basis
                        else "Illustrative monthly series generated by the portal."
                    ),
                    "unit": spec.unit,
                    "polarity": spec.polarity,
                    "frequency": Frequency.MONTHLY,
                    "category": spec.category,
                    "outcome": spec.outcome,
                    "owner_board": basis.owner_board if basis else None,
                    "decimal_places": spec.decimal_places,
                    "minimum": spec.minimum,
                    "maximum": spec.maximum,
                    "is_synthetic": True,
                },
            )
            metrics[spec.code] = metric
            counts["metrics"] += 1
        lookup = {"metric": metric, "subject_type": subject_type, subject_type: subject}
        series, _ = Series.objects.get_or_create(**lookup)
        counts["series"] += 1
        # Each series draws from its own stream, so adding one never changes another.
        stream = zlib.crc32(f"{spec.code}/{subject_type}/{subject.key}".encode())
        values = series_values(shape, np.random.default_rng([seed, stream]))
        protected = set(
            series.observations.exclude(provenance=Provenance.SYNTHETIC).values_list(
                "period_start", flat=True
            )
        )
        existing = {
            o.period_start: o for o in series.observations.filter(provenance=Provenance.SYNTHETIC)
        }
        new, changed = [], []
        for i, value in enumerate(values.tolist()):
            start, end = month(i)
            if start in protected:
                continue
            obs = existing.get(start)
            if obs is None:
                new.append(
                    Observation(
                        series=series,
                        period_start=start,
                        period_end=end,
                        value=value,
                        provenance=Provenance.SYNTHETIC,
                        note="synthetic (illustrative)",
                    )
                )
            elif obs.value != value:
                obs.value = value
                changed.append(obs)
        Observation.objects.bulk_create(new, batch_size=1000)
        Observation.objects.bulk_update(changed, ["value"], batch_size=1000)
        counts["observations"] += len(new) + len(changed)
        for target in targets:
            # The documented target applies to the illustrative monthly series, scaled to a month
            # where the documented one is annual.
            value = target.value / 12 if spec.code == "syn-nea-monthly" else target.value
            Target.objects.update_or_create(
                series=series,
                period_start=target.period_start,
                defaults={
                    "period_end": target.period_end,
                    "period_label": target.period_label,
                    "value": round(value, spec.decimal_places),
                    "as_written": target.as_written,
                    "note": f"From the documented target ({target.citation})"
                    + ("; annual target divided by 12" if spec.code == "syn-nea-monthly" else ""),
                    "source_document": target.source_document,
                    "source_line": target.source_line,
                },
            )
            counts["targets"] += 1
    return counts
