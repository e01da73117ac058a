"""England-scale synthetic (illustrative) data: systems, Places, governance and monthly series.

``england_generate`` builds a whole synthetic England — by default 42 systems of 5 Places,
400 metrics and ten years of monthly observations for every Place and every system (about 12
million values) — for benchmarks and load tests. Everything it creates is labelled synthetic:
``is_synthetic`` on every row whose model has the flag, "(synthetic)" in every name, and
provenance ``synthetic`` on every observation.

Its rows are found again by the key prefix ``eng-`` (systems, people and metrics; Places,
organisations and boards belong to an ``eng-`` system), so a second run replaces the first and
never touches documented data or the demo series of ``demo.synthetic``.

Values are drawn with NumPy from one generator seeded by ``seed``, so a seed always gives the
same values; rows are written with PostgreSQL ``COPY`` from in-memory buffers, the observations
in binary format one system at a time.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, models, transaction
from django.utils import timezone

from governance.choices import BoardLevel, BoardStatus, EndReason, OrganisationKind, Role
from governance.models import Appointment, Board, Membership, Organisation, Person, ReportingLine
from icsportal import pgcopy
from metrics.choices import Category, Frequency, Polarity, Provenance, SubjectType
from metrics.models import Metric, Observation, Series, Target
from places.choices import FactKind
from places.models import Fact, Place, System

from . import outcomes

KEY_PREFIX = "eng-"
LAST_MONTH = dt.date(2026, 3, 1)  # the series end with the 2025/26 financial year
SYNTHETIC_NOTE = "Synthetic (illustrative) data generated for England-scale testing; not real."

# -- metrics -------------------------------------------------------------------------------------

COUNT, PERCENT, RATE, DURATION, MONEY = range(5)
# Kinds whose system value is the sum of its Places' values; the others are population-weighted.
ADDITIVE = (COUNT, MONEY)


@dataclass(frozen=True)
class MetricTemplate:
    """A kind of measure; each template gives several metrics, one per population group."""

    key: str
    name: str
    short_name: str
    unit: str
    polarity: str
    category: str
    outcome: str
    kind: int
    # COUNT and MONEY: per resident per month; the other kinds: the typical value.
    level: float
    cv: float  # month-to-month variation as a fraction of the level (over Poisson for counts)
    seasonal: float  # January peak as a fraction of the level (negative: a winter dip)
    decimals: int = 1
    minimum: float | None = 0.0
    maximum: float | None = None


H, L, N = Polarity.HIGHER_IS_BETTER, Polarity.LOWER_IS_BETTER, Polarity.NEUTRAL
ACT, QUAL, BCF, WF, FIN = (
    Category.ACTIVITY,
    Category.QUALITY,
    Category.BCF,
    Category.WORKFORCE,
    Category.FINANCE,
)
HEALTHY, COMMUNITY, SERVICES = (
    outcomes.HEALTHY_PEOPLE,
    outcomes.STRONG_COMMUNITIES,
    outcomes.EFFECTIVE_SERVICES,
)

# Ordered so that the first few metrics already mix kinds and polarities (small runs use them).
# key, name, short name, unit, polarity, category, outcome, kind, level, cv, seasonal, decimals,
# and the range (counts, spend and rates: from 0, no maximum; percentages: 0 to 100).
_TEMPLATE_ROWS = (
    ("nea", "Non-elective admissions", "Non-elective admissions", "admissions", L, ACT, SERVICES,
     COUNT, 0.0075, 0.03, 0.06, 0),
    ("ae-4h", "A&E attendances seen within 4 hours", "A&E 4 hours", "%", H, QUAL, SERVICES,
     PERCENT, 82.0, 0.02, -0.03, 1),
    ("gp-referrals", "GP referrals to consultant-led services", "GP referrals", "referrals", N,
     ACT, SERVICES, COUNT, 0.012, 0.04, 0.02, 0),
    ("los", "Average length of stay, non-elective", "Length of stay", "days", L, ACT, SERVICES,
     DURATION, 5.2, 0.04, 0.05, 2),
    ("sickness", "Staff sickness absence rate", "Sickness absence", "%", L, WF, SERVICES, PERCENT,
     4.6, 0.05, 0.08, 2),
    ("reablement", "Older people at home 91 days after reablement", "Reablement", "%", H, BCF,
     HEALTHY, PERCENT, 82.0, 0.02, 0.0, 1),
    ("agency-spend", "Agency staff spend", "Agency spend", "£000s", L, FIN, SERVICES, MONEY,
     0.0009, 0.08, 0.02, 0),
    ("cdiff", "Clostridioides difficile infections", "C. difficile", "infections", L, QUAL,
     HEALTHY, COUNT, 0.00001, 0.1, 0.0, 0),
    ("ae-attendances", "A&E attendances", "A&E attendances", "attendances", N, ACT, SERVICES,
     COUNT, 0.021, 0.03, 0.04, 0),
    ("cancer-62d", "Cancer patients treated within 62 days of referral", "Cancer 62 days", "%", H,
     QUAL, HEALTHY, PERCENT, 76.0, 0.03, 0.0, 1),
    ("residential", "Permanent admissions to residential and nursing care", "Care home admissions",
     "per 100, 000 aged 65+", L, BCF, HEALTHY, RATE, 50.0, 0.08, 0.0, 1),
    ("vacancy", "Vacancy rate", "Vacancy rate", "%", L, WF, SERVICES, PERCENT, 8.5, 0.05, 0.0, 2),
    ("elective", "Elective admissions", "Elective admissions", "admissions", H, ACT, SERVICES,
     COUNT, 0.011, 0.04, -0.05, 0),
    ("rtt-18w", "Patients waiting under 18 weeks for treatment", "RTT 18 weeks", "%", H, QUAL,
     SERVICES, PERCENT, 68.0, 0.02, 0.0, 1),
    ("dtoc", "Delayed transfers of care, average daily delays", "Delayed transfers",
     "average daily delays", L, BCF, SERVICES, RATE, 38.0, 0.07, 0.05, 1),
    ("turnover", "Staff turnover rate", "Turnover", "%", L, WF, SERVICES, PERCENT, 12.0, 0.04, 0.0,
     2),
    ("cip", "Cost improvement savings delivered", "Cost improvement", "£000s", H, FIN, SERVICES,
     MONEY, 0.0012, 0.1, 0.0, 0),
    ("falls-harm", "Inpatient falls resulting in harm", "Falls with harm", "falls", L, QUAL,
     HEALTHY, COUNT, 0.000015, 0.1, 0.05, 0),
    ("gp-appointments", "GP appointments delivered", "GP appointments", "appointments", H, ACT,
     SERVICES, COUNT, 0.42, 0.03, 0.05, 0),
    ("diagnostics-6w", "Diagnostic tests within 6 weeks", "Diagnostics 6 weeks", "%", H, QUAL,
     SERVICES, PERCENT, 88.0, 0.02, -0.02, 1),
    ("discharge-home", "Discharges to usual place of residence", "Discharge home", "%", H, BCF,
     COMMUNITY, PERCENT, 92.0, 0.01, -0.01, 1),
    ("staff-wte", "Staff in post", "Staff in post", "whole-time equivalents", N, WF, SERVICES,
     COUNT, 0.021, 0.01, 0.0, 0),
    ("prescribing", "Prescribing cost per registered patient", "Prescribing cost", "£ per patient",
     L, FIN, SERVICES, RATE, 14.5, 0.03, 0.02, 2),
    ("pressure-ulcers", "Pressure ulcers acquired in care", "Pressure ulcers", "ulcers", L, QUAL,
     HEALTHY, COUNT, 0.00002, 0.1, 0.04, 0),
    ("outpatients", "Outpatient first attendances", "Outpatient attendances", "attendances", N,
     ACT, SERVICES, COUNT, 0.03, 0.04, -0.03, 0),
    ("fft", "Friends and Family Test, would recommend", "Friends and Family", "%", H, QUAL,
     COMMUNITY, PERCENT, 93.0, 0.01, 0.0, 1),
    ("avoidable", "Emergency admissions for ambulatory care conditions", "Avoidable admissions",
     "per 100, 000 population", L, BCF, HEALTHY, RATE, 70.0, 0.06, 0.08, 1),
    ("training", "Mandatory training compliance", "Training compliance", "%", H, WF, SERVICES,
     PERCENT, 88.0, 0.015, 0.0, 1),
    ("chc-spend", "Continuing healthcare spend", "Continuing healthcare spend", "£000s", L, FIN,
     SERVICES, MONEY, 0.011, 0.04, 0.0, 0),
    ("cat2", "Ambulance category 2 mean response time", "Category 2 response", "minutes", L, QUAL,
     SERVICES, DURATION, 32.0, 0.08, 0.1, 1),
    ("readmissions", "Emergency readmissions within 30 days", "Readmissions", "%", L, QUAL,
     HEALTHY, PERCENT, 13.5, 0.04, 0.0, 2),
    ("conveyances", "Ambulance conveyances to hospital", "Conveyances", "conveyances", L, ACT,
     SERVICES, COUNT, 0.006, 0.03, 0.05, 0),
    ("appraisal", "Staff appraisal rate", "Appraisal rate", "%", H, WF, SERVICES, PERCENT, 81.0,
     0.03, 0.0, 1),
    ("falls-65", "Emergency admissions due to falls, aged 65+", "Falls admissions",
     "per 100,000 aged 65+", L, BCF, HEALTHY, RATE, 180.0, 0.06, 0.07, 1),
    ("calls-111", "NHS 111 calls received", "NHS 111 calls", "calls", N, ACT, SERVICES, COUNT,
     0.028, 0.05, 0.06, 0),
    ("dementia-dx", "Dementia diagnosis rate", "Dementia diagnosis", "%", H, QUAL, HEALTHY,
     PERCENT, 65.0, 0.015, 0.0, 1),
    ("bed-occupancy", "General and acute bed occupancy", "Bed occupancy", "%", L, ACT, SERVICES,
     PERCENT, 91.0, 0.015, 0.02, 1),
    ("iapt-recovery", "Talking therapies recovery rate", "Talking therapies", "%", H, QUAL,
     HEALTHY, PERCENT, 50.0, 0.04, 0.0, 1),
    ("wait-52w", "Patients waiting over 52 weeks", "52-week waits", "patients", L, QUAL, SERVICES,
     COUNT, 0.0008, 0.05, 0.0, 0),
    ("pay-spend", "Pay expenditure", "Pay expenditure", "£000s", N, FIN, SERVICES, MONEY, 0.09,
     0.015, 0.0, 0),
)  # fmt: skip
TEMPLATES = tuple(
    MetricTemplate(*row, maximum=100.0 if row[7] == PERCENT else None) for row in _TEMPLATE_ROWS
)

# The population groups a template is measured for; the share scales counts and spend.
GROUPS = (
    ("all ages", "all", 1.0),
    ("aged 65 and over", "65+", 0.19),
    ("aged 18 to 64", "18-64", 0.6),
    ("children and young people", "0-17", 0.21),
    ("most deprived fifth", "most deprived", 0.2),
    ("least deprived fifth", "least deprived", 0.2),
    ("urban areas", "urban", 0.72),
    ("rural areas", "rural", 0.28),
    ("men", "men", 0.49),
    ("women", "women", 0.51),
)


@dataclass
class MetricPlan:
    """The metrics to create, as rows and as columns for vectorised value generation."""

    rows: list[dict]
    kind: np.ndarray  # int
    level: np.ndarray  # float64, per resident per month for ADDITIVE kinds
    cv: np.ndarray
    seasonal: np.ndarray
    decimals: np.ndarray  # int
    minimum: np.ndarray  # float64, -inf for none
    maximum: np.ndarray  # float64, +inf for none
    direction: np.ndarray  # +1 higher is better, -1 lower is better, 0 neutral
    has_target: np.ndarray  # bool


def metric_plan(count: int, rng: np.random.Generator) -> MetricPlan:
    """``count`` metrics: template ``i % len(TEMPLATES)`` for population group ``i // len``."""
    rows, picks = [], []
    for i in range(count):
        template = TEMPLATES[i % len(TEMPLATES)]
        g = i // len(TEMPLATES)
        label, short, share = GROUPS[g % len(GROUPS)]
        if g >= len(GROUPS):
            label, short = f"{label}, cohort {g // len(GROUPS) + 1}", f"{short} {g}"
        picks.append((template, share))
        rows.append(
            {
                "code": f"{KEY_PREFIX}{template.key}-{g + 1:02d}",
                "name": f"{template.name}, {label} (synthetic)",
                "short_name": f"{template.short_name} ({short})",
                "definition": f"{template.name}, {label}, per month. {SYNTHETIC_NOTE}",
                "unit": template.unit,
                "unit_note": "synthetic (illustrative)",
                "polarity": template.polarity,
                "polarity_basis": "synthetic (illustrative)",
                "frequency": Frequency.MONTHLY,
                "category": template.category,
                "outcome": template.outcome,
                "decimal_places": template.decimals,
                "minimum": template.minimum,
                "maximum": template.maximum,
                "is_synthetic": True,
            }
        )
    n = len(picks)
    # Each metric differs a little from its template, so no two share a level.
    jitter = rng.lognormal(0.0, 0.15, n)
    level = np.array(
        [t.level * (share if t.kind in ADDITIVE else 1.0) for t, share in picks], dtype=float
    )
    kind = np.array([t.kind for t, _ in picks], dtype=np.int64)
    maximum = np.array([np.inf if t.maximum is None else t.maximum for t, _ in picks])
    minimum = np.array([-np.inf if t.minimum is None else t.minimum for t, _ in picks])
    # Percentages move a little and stay clear of their bounds.
    level = np.where(
        kind == PERCENT, np.clip(level * (1 + (jitter - 1) * 0.3), 1.0, 99.0), level * jitter
    )
    direction = np.array(
        [{H: 1, L: -1, N: 0}[Polarity(t.polarity)] for t, _ in picks], dtype=np.int64
    )
    return MetricPlan(
        rows=rows,
        kind=kind,
        level=level,
        cv=np.array([t.cv for t, _ in picks]) * rng.uniform(0.8, 1.25, n),
        seasonal=np.array([t.seasonal for t, _ in picks]) * rng.uniform(0.6, 1.4, n),
        decimals=np.array([t.decimals for t, _ in picks], dtype=np.int64),
        minimum=minimum,
        maximum=maximum,
        direction=direction,
        # Two in five directional metrics have annual targets, the first of them included.
        has_target=(direction != 0) & np.isin(np.cumsum(direction != 0) % 5, (1, 3)),
    )


# -- values --------------------------------------------------------------------------------------

P_STEP = 0.3  # share of series with a step change (a new service, a change of definition)
P_TREND = 0.2  # share with a steady trend over the period
P_AUTOCORRELATED = 0.5  # share whose noise carries over from month to month
P_OUTLIER = 0.004  # chance of any one month being an outlier
P_GAPS, GAP_RATE = 0.12, 0.06  # share of series with sporadic missing months, and their rate
P_LATE_START = 0.03  # share of series that start reporting late


def month_starts(months: int) -> np.ndarray:
    """The first days of the ``months`` months that end with LAST_MONTH (datetime64[D])."""
    last = np.datetime64(LAST_MONTH, "M")
    return (np.arange(last - months + 1, last + 1)).astype("datetime64[D]")


def series_values(
    plan: MetricPlan, populations: np.ndarray, months: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Values for every metric in the given Places and their system, and the design levels.

    Returns ``values`` (metrics x (Places + 1) x months, the system last) and ``levels``
    (metrics x (Places + 1)). Each series is its level with winter seasonality, possibly a trend
    and a step change, month-to-month (sometimes autocorrelated) noise and rare outliers,
    clipped to the metric's range and rounded to its decimals; counts are Poisson draws, so
    integers. A system's value is the sum of its Places' (counts, spend) or their
    population-weighted mean (the other kinds).
    """
    m, p = plan.kind.size, populations.size
    shape = (m, p)
    additive = np.isin(plan.kind, ADDITIVE)[:, None]
    place_factor = np.where(
        additive, rng.lognormal(0.0, 0.15, shape), 1 + rng.normal(0.0, 0.04, shape)
    )
    level = np.where(additive, plan.level[:, None] * populations[None, :], plan.level[:, None])
    level = level * place_factor
    is_percent = (plan.kind == PERCENT)[:, None]
    level = np.where(is_percent, np.clip(level, 1.0, 99.0), level)
    counts = (plan.kind == COUNT)[:, None]
    # The size of an ordinary month-to-month change, as a fraction of the level.
    poisson_and_extra = np.sqrt(1 / np.maximum(level, 1e-9) + plan.cv[:, None] ** 2)
    unit = np.where(counts, poisson_and_extra, plan.cv[:, None])

    t = np.arange(months)
    month_of_year = (month_starts(months).astype("datetime64[M]").astype(int) % 12) + 1
    winter = np.cos(2 * np.pi * (month_of_year - 1) / 12)  # 1 in January, -1 in July
    seasonal = plan.seasonal[:, None] * rng.uniform(0.3, 1.3, shape)
    systematic = seasonal[..., None] * winter

    steps = rng.random(shape) < P_STEP
    step_at = rng.integers(max(months // 6, 1), max(months - 3, 2), shape)
    step_size = rng.choice([-1.0, 1.0], shape) * rng.uniform(1.5, 4.0, shape) * unit
    systematic += np.where(steps[..., None] & (t >= step_at[..., None]), step_size[..., None], 0)

    trends = rng.random(shape) < P_TREND
    total = rng.choice([-1.0, 1.0], shape) * rng.uniform(2.0, 6.0, shape) * unit
    systematic += np.where(trends, total, 0.0)[..., None] * (t / max(months - 1, 1))

    outliers = rng.random((m, p, months)) < P_OUTLIER
    spike = rng.choice([-1.0, 1.0], (m, p, months)) * rng.uniform(4.0, 7.0, (m, p, months))
    systematic += np.where(outliers, spike * unit[..., None], 0.0)

    phi = np.where(rng.random(shape) < P_AUTOCORRELATED, rng.uniform(0.1, 0.5, shape), 0.0)
    shocks = rng.standard_normal((m, p, months)) * np.sqrt(1 - phi**2)[..., None]
    noise = np.empty_like(shocks)
    noise[..., 0] = rng.standard_normal(shape)
    for i in range(1, months):
        noise[..., i] = phi * noise[..., i - 1] + shocks[..., i]
    noise *= plan.cv[:, None, None]

    curve = level[..., None] * np.maximum(1 + systematic, 0.02)
    lam = curve * np.exp(noise - plan.cv[:, None, None] ** 2 / 2)
    places = np.where(counts[..., None], rng.poisson(np.where(counts[..., None], lam, 0)), 0)
    places = np.where(
        counts[..., None], places, level[..., None] * (1 + systematic) + noise * level[..., None]
    )
    places = _bounded(places, plan)

    weights = populations / populations.sum()
    system = np.where(additive, places.sum(axis=1), np.einsum("mpt,p->mt", places, weights))[
        :, None, :
    ]
    system_level = np.where(additive[:, 0], level.sum(axis=1), level @ weights)[:, None]
    values = np.concatenate([places, _bounded(system, plan)], axis=1)
    return values, np.concatenate([level, system_level], axis=1)


def _bounded(values: np.ndarray, plan: MetricPlan) -> np.ndarray:
    """Clipped to each metric's range and rounded to its decimals."""
    lo, hi = plan.minimum[:, None, None], plan.maximum[:, None, None]
    scale = (10.0**plan.decimals)[:, None, None]
    return np.clip(np.round(np.clip(values, lo, hi) * scale) / scale, lo, hi)


def present_months(shape: tuple[int, int, int], rng: np.random.Generator) -> np.ndarray:
    """Which months each series reports (bool): most series are complete; a few have sporadic
    gaps and a few start late, but every series has at least its last month."""
    m, s, months = shape
    kind = rng.random((m, s))
    present = np.ones(shape, dtype=bool)
    gaps = (kind < P_GAPS)[..., None] & (rng.random(shape) < GAP_RATE)
    late = (kind >= P_GAPS) & (kind < P_GAPS + P_LATE_START)
    start = rng.integers(1, max(months // 4, 1) + 1, (m, s))
    present &= ~gaps
    present &= ~(late[..., None] & (np.arange(months) < start[..., None]))
    present[..., -1] = True
    return present


def annual_targets(
    plan: MetricPlan, levels: np.ndarray, years: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Targets (metrics x subjects x financial years; NaN where a metric has none).

    A target sits near the series' design level, on either side of it, and tightens a little
    each year up to the latest, so that against the latest target most series hit and miss,
    a good share fail consistently and a few pass consistently.
    """
    m, s = levels.shape
    cv = plan.cv[:, None, None]
    tightening = 0.15 * (years - years[-1])[None, None, :]  # 0 in the latest year
    stretch = rng.uniform(-3.5, 4.5, (m, s, 1)) + tightening
    value = levels[..., None] * (1 + plan.direction[:, None, None] * stretch * cv)
    lo, hi = plan.minimum[:, None, None], plan.maximum[:, None, None]
    scale = (10.0**plan.decimals)[:, None, None]
    value = np.clip(np.round(np.clip(value, lo, hi) * scale) / scale, lo, hi)
    return np.where(plan.has_target[:, None, None], value, np.nan)


# -- governance ----------------------------------------------------------------------------------

# (key, name, kind, place-based, collective); "{s}" is the system's number, "{n}" a counter.
ORGANISATIONS = (
    [("ccg-{n}", "NHS Synthetic {s} CCG {n}", OrganisationKind.CCG, False, False)] * 3
    + [
        (
            "acute-{n}",
            "Synthetic {s} Hospitals NHS Trust {n}",
            OrganisationKind.ACUTE_TRUST,
            False,
            False,
        )
    ]
    * 2
    + [
        (
            "ft",
            "Synthetic {s} NHS Foundation Trust",
            OrganisationKind.FOUNDATION_TRUST,
            False,
            False,
        ),
        (
            "partnership-trust",
            "Synthetic {s} Partnership NHS Trust",
            OrganisationKind.COMMUNITY_MENTAL_HEALTH_TRUST,
            False,
            False,
        ),
        ("ambulance", "Synthetic {s} Ambulance Service", OrganisationKind.OTHER, False, False),
        ("county", "Synthetic {s} County Council", OrganisationKind.LOCAL_AUTHORITY, False, False),
        ("city", "Synthetic {s} City Council", OrganisationKind.LOCAL_AUTHORITY, False, False),
    ]
    + [
        (
            "district-{n}",
            "Synthetic {s} District Council {n}",
            OrganisationKind.DISTRICT_COUNCIL,
            True,
            False,
        )
    ]
    * 5
    + [
        (
            "pcns-{n}",
            "Primary care networks, synthetic area {s}.{n}",
            OrganisationKind.PRIMARY_CARE,
            True,
            True,
        )
    ]
    * 5
    + [
        (
            "gp-federation",
            "Synthetic {s} GP Federation",
            OrganisationKind.PRIMARY_CARE,
            False,
            False,
        )
    ]
    + [
        (
            "vcs-{n}",
            "Synthetic {s} Voluntary Action {n}",
            OrganisationKind.VOLUNTARY_SECTOR,
            True,
            False,
        )
    ]
    * 3
    + [
        (
            "healthwatch",
            "Healthwatch Synthetic {s}",
            OrganisationKind.VOLUNTARY_SECTOR,
            False,
            False,
        ),
        ("hospice", "Synthetic {s} Hospice", OrganisationKind.VOLUNTARY_SECTOR, False, False),
        ("police", "Synthetic {s} Police", OrganisationKind.OTHER, False, False),
        ("fire", "Synthetic {s} Fire and Rescue Service", OrganisationKind.OTHER, False, False),
        ("university", "University of Synthetic {s}", OrganisationKind.OTHER, False, False),
        (
            "regulator",
            "NHS England, synthetic region {s}",
            OrganisationKind.REGULATOR,
            False,
            False,
        ),
    ]
)
ORGANISATIONS_PER_SYSTEM = len(ORGANISATIONS)

# (key, name, reports to, seats, required organisation keys). Every board has one chair,
# one vice-chair, non-voting attendee and one seat that is sometimes vacant, plus a former chair.
SYSTEM_BOARDS = (
    ("partnership-board", "Partnership Board", None, 12, ("ccg-1", "county", "city")),
    (
        "executive-group",
        "Partnership Executive Group",
        "partnership-board",
        12,
        ("acute-1", "acute-2", "ft", "partnership-trust"),
    ),
    ("clinical-forum", "Clinical Forum", "executive-group", 12, ("gp-federation",)),
    ("finance-committee", "Finance and Investment Committee", "executive-group", 12, ("ccg-1",)),
    (
        "quality-committee",
        "Quality and Performance Committee",
        "executive-group",
        12,
        ("healthwatch",),
    ),
)
PLACE_BOARDS = (
    ("place-partnership", "Place Partnership Board", "partnership-board", 9, ("district",)),
    ("place-executive", "Place Executive", "place-partnership", 9, ("pcns",)),
)
PEOPLE_PER_SYSTEM = 80
TITLES = (
    "Chief Executive",
    "Director of Finance",
    "Medical Director",
    "Director of Nursing",
    "Chief Operating Officer",
    "Director of Adult Social Care",
    "Director of Public Health",
    "Clinical Director",
    "Non-executive Director",
    "Councillor",
    "Chief Officer",
    "Director of Strategy",
    "Head of Commissioning",
    "Programme Director",
)
FIRST_NAMES = (
    "Alex",
    "Sam",
    "Jordan",
    "Morgan",
    "Taylor",
    "Casey",
    "Riley",
    "Jamie",
    "Robin",
    "Charlie",
    "Avery",
    "Quinn",
    "Rowan",
    "Harper",
    "Reese",
    "Emerson",
    "Finley",
    "Hayden",
    "Kendall",
    "Sasha",
)
SURNAMES = (
    "Ashdown",
    "Brightwell",
    "Calloway",
    "Dunmore",
    "Ellery",
    "Fairbank",
    "Greaves",
    "Holloway",
    "Ingram",
    "Jessop",
    "Kingsley",
    "Lockwood",
    "Marlow",
    "Northcott",
    "Oakley",
    "Pendle",
    "Quarry",
    "Redfern",
    "Stainton",
    "Thornbury",
    "Underhill",
    "Varley",
    "Whitcombe",
    "Yardley",
)


def _day(base: dt.date, offsets: np.ndarray) -> list[dt.date]:
    return [base + dt.timedelta(days=int(d)) for d in offsets]


def system_governance(
    number: int, system_id: int, place_ids: list[int], ids: IdPool, rng: np.random.Generator
) -> dict[type[models.Model], list[dict]]:
    """The organisations, boards, reporting lines, people, appointments and memberships of one
    synthetic system, as rows per model (ids reserved from ``ids``)."""
    s = f"{number:02d}"
    prefix = f"{KEY_PREFIX}s{s}"
    rows: dict[type[models.Model], list[dict]] = {}
    counters: dict[str, int] = {}
    orgs, place_of_org = [], {}
    for i, (key, name, kind, place_based, collective) in enumerate(ORGANISATIONS):
        family = key.split("-{n}")[0]
        counters[family] = n = counters.get(family, 0) + 1
        org_key = key.format(n=n)
        orgs.append(
            {
                "id": ids.take(Organisation),
                "key": f"{prefix}-{org_key}",
                "system_id": system_id,
                "name": name.format(s=s, n=n) + " (synthetic)",
                "kind": kind,
                "is_collective": collective,
                "note": SYNTHETIC_NOTE,
                "is_synthetic": True,
            }
        )
        if place_based:
            place_of_org[org_key] = place_ids[i % len(place_ids)]
    org_id = {row["key"].removeprefix(f"{prefix}-"): row["id"] for row in orgs}
    rows[Organisation] = orgs
    rows[Organisation.places.through] = [
        {"organisation_id": org_id[k], "place_id": p} for k, p in place_of_org.items()
    ]

    boards, lines, required = [], [], []
    board_specs = [(spec, None, None) for spec in SYSTEM_BOARDS] + [
        (spec, place_id, p) for p, place_id in enumerate(place_ids, 1) for spec in PLACE_BOARDS
    ]
    board_id: dict[tuple[str, int | None], int] = {}
    for (key, name, _, seats, _), place_id, p in board_specs:
        bid = ids.take(Board)
        board_id[key, p] = bid
        where = f"Synthetic ICS {s}" if p is None else f"Synthetic Place {s}.{p}"
        slug = f"{prefix}-{key}" if p is None else f"{prefix}-p{p}-{key}"
        boards.append(
            {
                "id": bid,
                "key": slug,
                "slug": slug,
                "system_id": system_id,
                "name": f"{where} {name} (synthetic)",
                "level": BoardLevel.SYSTEM if p is None else BoardLevel.PLACE,
                "place_id": place_id,
                "purpose": f"{SYNTHETIC_NOTE}",
                "meeting_frequency": "Monthly" if seats < 12 else "Every two months",
                "chair_arrangement": "Chaired by an elected chair (synthetic)",
                "quorum": seats // 2,
                "status": BoardStatus.ESTABLISHED,
                "status_as_written": "established (synthetic)",
                "note": SYNTHETIC_NOTE,
                "is_synthetic": True,
            }
        )
    for (key, _, parent, _, needs), place_id, p in board_specs:
        if parent is not None:
            up = board_id.get((parent, p)) or board_id[parent, None]
            lines.append({"board_id": board_id[key, p], "reports_to_id": up})
        for need in needs:
            for org_key, oid in org_id.items():
                if org_key == need or (
                    org_key.startswith(f"{need}-") and place_of_org.get(org_key) == place_id
                ):
                    required.append({"board_id": board_id[key, p], "organisation_id": oid})
    rows[Board] = boards
    rows[ReportingLine] = lines
    rows[Board.required_organisations.through] = required

    people, appointments = [], []
    first = rng.integers(0, len(FIRST_NAMES), PEOPLE_PER_SYSTEM)
    last = rng.integers(0, len(SURNAMES), PEOPLE_PER_SYSTEM)
    employer = rng.integers(0, len(orgs), PEOPLE_PER_SYSTEM)
    title = rng.integers(0, len(TITLES), PEOPLE_PER_SYSTEM)
    for j in range(PEOPLE_PER_SYSTEM):
        pid = ids.take(Person)
        people.append(
            {
                "id": pid,
                "key": f"{prefix}-person-{j + 1:03d}",
                "system_id": system_id,
                "name": f"{FIRST_NAMES[first[j]]} {SURNAMES[last[j]]} (synthetic)",
                "identity_note": "A synthetic (illustrative) person, not a real individual.",
                "is_synthetic": True,
            }
        )
        appointments.append(
            {
                "person_id": pid,
                "organisation_id": orgs[employer[j]]["id"],
                "title": f"{TITLES[title[j]]} (synthetic)",
                "as_at": dt.date(2025, 4, 1),
                "as_at_text": "April 2025",
            }
        )
    rows[Person] = people
    rows[Appointment] = appointments

    memberships = []
    for (key, _, _, seats, _), _, p in board_specs:
        bid = board_id[key, p]
        # Distinct people, so nobody sits on a board twice at once; the last is the former chair.
        chosen = rng.choice(PEOPLE_PER_SYSTEM, seats + 1, replace=False)
        starts = _day(dt.date(2019, 4, 1), rng.integers(0, 6 * 365, seats))
        fixed_term = rng.random(seats) < 0.25
        ends = _day(dt.date(2026, 6, 30), rng.integers(0, 640, seats))
        handover = _day(dt.date(2021, 3, 31), rng.integers(0, 3 * 365, 1))[0]
        vacant = rng.random() < 0.25
        roles = [Role.CHAIR, Role.VICE_CHAIR] + [Role.MEMBER] * (seats - 3) + [Role.ATTENDEE]
        for k in range(seats):
            person = int(chosen[k])
            seat_vacant = vacant and k == seats - 2  # the last member's seat
            memberships.append(
                {
                    "board_id": bid,
                    "person_id": None if seat_vacant else people[person]["id"],
                    "on_behalf_of_id": orgs[employer[person]]["id"],
                    "role": roles[k],
                    "label": "Vacancy (synthetic)" if seat_vacant else "",
                    "voting": roles[k] != Role.ATTENDEE,
                    # The chair took over from the former chair the day after their term ended.
                    "start_date": handover + dt.timedelta(days=1) if k == 0 else starts[k],
                    "end_date": ends[k] if fixed_term[k] and k else None,
                    "note": "synthetic (illustrative)",
                }
            )
        former = int(chosen[seats])
        memberships.append(
            {
                "board_id": bid,
                "person_id": people[former]["id"],
                "on_behalf_of_id": orgs[employer[former]]["id"],
                "role": Role.CHAIR,
                "start_date": dt.date(2017, 4, 1),
                "end_date": handover,
                "end_reason": EndReason.TERM_ENDED,
                "note": "synthetic (illustrative)",
            }
        )
    rows[Membership] = memberships
    return rows


# -- writing -------------------------------------------------------------------------------------


class IdPool:
    """Primary keys reserved in advance from each table's identity sequence, so that rows can
    be written with COPY and still reference each other."""

    def __init__(self, cursor, wanted: dict[type[models.Model], int]):
        self._ids: dict[type[models.Model], Iterator[int]] = {}
        for model, count in wanted.items():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            self._ids[model] = iter(sorted(r[0] for r in cursor.fetchall()))

    def take(self, model: type[models.Model]) -> int:
        return next(self._ids[model])


def copy_rows(cursor, model: type[models.Model], rows: list[dict], now: dt.datetime) -> int:
    """COPY ``rows`` (dicts by attribute name) into the model's table in text format; fields a
    row leaves out get the model's default (``now`` for automatic timestamps)."""
    if not rows:
        return 0
    columns, makers = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.attname not in rows[0]:
            continue
        columns.append(f.column)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            makers.append((f.attname, lambda: now))
        else:
            makers.append((f.attname, f.get_default))
    out = io.StringIO()
    for row in rows:
        out.write(
            "\t".join(
                pgcopy.text_cell(row[name] if name in row else default())
                for name, default in makers
            )
        )
        out.write("\n")
    out.seek(0)
    cursor.copy_expert(
        f"COPY {model._meta.db_table} ({', '.join(map(connection.ops.quote_name, columns))})"
        " FROM STDIN",
        out,
        size=1 << 20,
    )
    return len(rows)


_OBSERVATION_COLUMNS = (
    "series_id, period_start, period_end, value, provenance, also_sources, as_written, note,"
    " modified_at"
)
_PROVENANCE = Provenance.SYNTHETIC.value.encode()
_OBSERVATION_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("l_series", ">i4"),
        ("series", ">i8"),
        ("l_start", ">i4"),
        ("start", ">i4"),
        ("l_end", ">i4"),
        ("end", ">i4"),
        ("l_value", ">i4"),
        ("value", ">f8"),
        ("l_provenance", ">i4"),
        ("provenance", f"S{len(_PROVENANCE)}"),
        ("l_also", ">i4"),
        ("also", "S3"),  # jsonb in binary: version 1, then the text "[]"
        ("l_as_written", ">i4"),  # empty text
        ("l_note", ">i4"),  # empty text
        ("l_modified", ">i4"),
        ("modified", ">i8"),  # microseconds since 2000-01-01 UTC
    ]
)


def copy_observations(
    cursor,
    series_ids: np.ndarray,
    starts: np.ndarray,
    values: np.ndarray,
    present: np.ndarray,
    now: dt.datetime,
) -> int:
    """COPY the present values (series x months) into metrics_observation in binary format,
    built with NumPy: no Python work per row."""
    n_series, months = values.shape
    ends = (starts.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    keep = present.ravel()
    count = int(keep.sum())
    rows = np.zeros(count, dtype=_OBSERVATION_ROW)
    rows["fields"] = 9
    for name, size in (("series", 8), ("start", 4), ("end", 4), ("value", 8)):
        rows[f"l_{name}"] = size
    rows["series"] = np.repeat(series_ids, months)[keep]
    rows["start"] = np.tile((starts - pgcopy.EPOCH_DAY).astype(np.int32), n_series)[keep]
    rows["end"] = np.tile((ends - pgcopy.EPOCH_DAY).astype(np.int32), n_series)[keep]
    rows["value"] = values.ravel()[keep]
    rows["l_provenance"] = len(_PROVENANCE)
    rows["provenance"] = _PROVENANCE
    rows["l_also"] = 3
    rows["also"] = b"\x01[]"
    rows["l_modified"] = 8
    rows["modified"] = (now - pgcopy.EPOCH_UTC) // dt.timedelta(microseconds=1)
    cursor.copy_expert(
        f"COPY {Observation._meta.db_table} ({_OBSERVATION_COLUMNS})"
        " FROM STDIN WITH (FORMAT binary)",
        pgcopy.binary_file(rows),
        size=1 << 22,
    )
    return count


# -- replacing a previous run --------------------------------------------------------------------


def _reverse_relations(model: type[models.Model]) -> list:
    """Every foreign key pointing at ``model``, hidden ones (``related_name="+"``, M2M tables)
    included; simple_history's unconstrained copies (DO_NOTHING) are left out."""
    return [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if f.auto_created
        and not f.concrete
        and (f.one_to_many or f.one_to_one)
        and f.on_delete is not models.DO_NOTHING
    ]


def england_clear(cursor) -> dict[str, int]:
    """Delete every row of a previous run, with what depends on it, in SQL.

    The roots are the synthetic systems, people and metrics whose key starts with KEY_PREFIX;
    from them this follows the models' foreign keys as Django's delete would (CASCADE rows go,
    SET_NULL references are cleared; a PROTECT reference from other data makes the commit
    fail), but set-based, so clearing twelve million observations is one statement. Returns
    the rows deleted per table. (The SQL names only tables and columns from the models.)
    """
    like = f"{KEY_PREFIX}%"
    roots = [
        (System, "key LIKE %s AND is_synthetic", [like]),
        (Person, "key LIKE %s AND is_synthetic", [like]),
        (Metric, "code LIKE %s AND is_synthetic", [like]),
    ]
    # Every table and column name in the SQL below comes from the models' Meta or is made here
    # (eng_clear_N); the only value, the key pattern, is a parameter (hence the nosec B608s).
    collected: dict[type[models.Model], str] = {}
    dirty: list[type[models.Model]] = []

    def collect(model, sql, params) -> None:
        table = collected.get(model)
        if table is None:
            table = collected[model] = f"eng_clear_{len(collected)}"
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TEMP TABLE {table} (id bigint PRIMARY KEY) ON COMMIT DROP")
        cursor.execute(f"INSERT INTO {table} {sql} ON CONFLICT DO NOTHING", params)  # noqa: S608
        if cursor.rowcount and model not in dirty:
            dirty.append(model)

    for model, where, params in roots:
        collect(model, f"SELECT id FROM {model._meta.db_table} WHERE {where}", params)  # noqa: S608 # nosec B608 # tables from Meta
    # Sets: a parent met again (its rows grew) must not repeat a full-table delete.
    leaves: set[tuple[type[models.Model], str, type[models.Model]]] = set()
    set_null: set[tuple[type[models.Model], str, type[models.Model]]] = set()
    while dirty:
        parent = dirty.pop(0)
        for rel in _reverse_relations(parent):
            child, column = rel.related_model, rel.field.column
            if rel.on_delete is models.SET_NULL:
                set_null.add((child, column, parent))
            elif rel.on_delete is models.CASCADE:
                if not _reverse_relations(child) and not hasattr(child, "history"):
                    # Nothing depends on these rows: delete them by their parent, uncollected.
                    leaves.add((child, column, parent))
                else:
                    collect(
                        child,
                        f"SELECT id FROM {child._meta.db_table} WHERE {column} IN "  # noqa: S608 # nosec B608 # see above
                        f"(SELECT id FROM {collected[parent]})",
                        [],
                    )
    deleted: dict[str, int] = {}

    def run(table: str, sql: str) -> None:
        cursor.execute(sql)
        deleted[table] = deleted.get(table, 0) + cursor.rowcount

    def by_name(item):
        return item[0]._meta.db_table, item[1], item[2]._meta.db_table

    for child, column, parent in sorted(set_null, key=by_name):
        ids = collected[parent]
        cursor.execute(
            f"UPDATE {child._meta.db_table} SET {column} = NULL "  # noqa: S608 # nosec B608 # see above
            f"WHERE {column} IN (SELECT id FROM {ids})"
        )
    for child, column, parent in sorted(leaves, key=by_name):
        table, ids = child._meta.db_table, collected[parent]
        run(table, f"DELETE FROM {table} WHERE {column} IN (SELECT id FROM {ids})")  # noqa: S608 # nosec B608
    for model, ids in collected.items():
        table = model._meta.db_table
        run(table, f"DELETE FROM {table} WHERE id IN (SELECT id FROM {ids})")  # noqa: S608 # nosec B608
        if hasattr(model, "history"):
            history = model.history.model._meta.db_table
            run(history, f"DELETE FROM {history} WHERE id IN (SELECT id FROM {ids})")  # noqa: S608 # nosec B608
    for ids in collected.values():
        # Gone now rather than at commit: an enclosing transaction may clear again.
        cursor.execute(f"DROP TABLE {ids}")
    return {table: n for table, n in sorted(deleted.items()) if n}


@contextmanager
def secondary_indexes_dropped(cursor, model: type[models.Model]) -> Iterator[None]:
    """Drop the table's foreign keys and plain indexes, and recreate them on exit.

    For a bulk load: PostgreSQL then checks every foreign key in one join instead of one
    lookup per row, and builds each index once. Primary keys and unique constraints stay, so
    the load is still checked as it goes. Must run inside a transaction: if anything fails
    the rollback restores them; meanwhile the table is locked against other sessions.
    """
    assert connection.in_atomic_block, "the indexes must be restored by the same transaction"
    table = model._meta.db_table
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        [table],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT i.indisunique"
        " ORDER BY c.relname",
        [table],
    )
    indexes = cursor.fetchall()
    # PostgreSQL refuses to alter a table with deferred checks pending: run them now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED")
    for name, _ in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED")
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    for _, definition in indexes:
        cursor.execute(definition)
    for name, definition in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


# -- the generator -------------------------------------------------------------------------------

# Above this many new observations the load drops and rebuilds the observation table's
# foreign keys and plain indexes (see secondary_indexes_dropped).
REBUILD_INDEXES_ABOVE = 1_000_000


@dataclass
class EnglandReport:
    """What a run wrote and removed, per table, and how long it took."""

    created: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, model: type[models.Model], count: int) -> None:
        table = model._meta.db_table
        self.created[table] = self.created.get(table, 0) + count


def _financial_years(starts: np.ndarray) -> np.ndarray:
    """The financial years (by the calendar year they start in) that the months fall in."""
    month = starts.astype("datetime64[M]").astype(int)  # months since 1970-01
    return np.unique((month - 3) // 12 + 1970)


@transaction.atomic
def england_generate(
    *,
    systems: int = 42,
    places_per_system: int = 5,
    metrics: int = 400,
    months: int = 120,
    seed: int = 2019,
    rebuild_indexes: bool | None = None,
) -> EnglandReport:
    """Replace the synthetic England: ``systems`` systems of ``places_per_system`` Places with
    their governance, ``metrics`` metrics and ``months`` monthly values for every metric in
    every Place and every system, ending with LAST_MONTH. Deterministic for a seed;
    PostgreSQL only. ``rebuild_indexes`` (default: for large loads) drops and rebuilds the
    observation table's foreign keys and plain indexes around the load."""
    if connection.vendor != "postgresql":
        raise ValueError("The England generator writes with PostgreSQL COPY; use PostgreSQL.")
    for name, value in (
        ("systems", systems),
        ("places_per_system", places_per_system),
        ("metrics", metrics),
        ("months", months),
    ):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, not {value}.")
    if seed < 0:
        raise ValueError(f"seed must not be negative, not {seed}.")
    started = time.perf_counter()
    report = EnglandReport()
    rng = np.random.default_rng(seed)
    now = timezone.now()
    starts = month_starts(months)
    years = _financial_years(starts)
    subjects = places_per_system + 1
    n_series = metrics * systems * subjects
    if rebuild_indexes is None:
        rebuild_indexes = n_series * months > REBUILD_INDEXES_ABOVE

    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        # One run at a time: a second waits here rather than clashing on the keys.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('metrics.england'))")
        context = secondary_indexes_dropped(cursor, Observation) if rebuild_indexes else _nothing()
        with context:
            report.removed = england_clear(cursor)
            boards_per_system = len(SYSTEM_BOARDS) + len(PLACE_BOARDS) * places_per_system
            ids = IdPool(
                cursor,
                {
                    System: systems,
                    Place: systems * places_per_system,
                    Organisation: systems * ORGANISATIONS_PER_SYSTEM,
                    Board: systems * boards_per_system,
                    Person: systems * PEOPLE_PER_SYSTEM,
                    Metric: metrics,
                    Series: n_series,
                },
            )
            plan = metric_plan(metrics, rng)
            metric_ids = np.array([ids.take(Metric) for _ in range(metrics)], dtype=np.int64)
            for row, mid in zip(plan.rows, metric_ids.tolist(), strict=True):
                row["id"] = mid
            report.add(Metric, copy_rows(cursor, Metric, plan.rows, now))
            sizes = rng.lognormal(np.log(330_000), 0.45, (systems, places_per_system))
            populations = np.round(np.clip(sizes, 60_000, 1_500_000), -2)
            governance: dict[type[models.Model], list[dict]] = {}
            for s in range(systems):
                number = s + 1
                system_id = ids.take(System)
                place_ids = [ids.take(Place) for _ in range(places_per_system)]
                _write_system(cursor, report, number, system_id, place_ids, populations[s], now)
                for model, rows in system_governance(
                    number, system_id, place_ids, ids, rng
                ).items():
                    governance.setdefault(model, []).extend(rows)

                values, levels = series_values(plan, populations[s], months, rng)
                present = present_months(values.shape, rng)
                targets = annual_targets(plan, levels, years, rng)
                # Series ids run Place by Place (the system last), so each snapshot scope's
                # observations lie together on disk.
                series_ids = np.array([ids.take(Series) for _ in range(metrics * subjects)])
                series_ids = series_ids.reshape(subjects, metrics)
                series_rows = [
                    {
                        "id": int(series_ids[k, m]),
                        "metric_id": int(metric_ids[m]),
                        "subject_type": SubjectType.PLACE
                        if k < places_per_system
                        else SubjectType.SYSTEM,
                        "place_id": place_ids[k] if k < places_per_system else None,
                        "system_id": None if k < places_per_system else system_id,
                        "note": "synthetic (illustrative)",
                    }
                    for k in range(subjects)
                    for m in range(metrics)
                ]
                report.add(Series, copy_rows(cursor, Series, series_rows, now))
                order = (1, 0, 2)  # metrics x subjects x months -> subjects x metrics x months
                report.add(
                    Observation,
                    copy_observations(
                        cursor,
                        series_ids.ravel(),
                        starts,
                        values.transpose(order).reshape(-1, months),
                        present.transpose(order).reshape(-1, months),
                        now,
                    ),
                )
                report.add(Target, _write_targets(cursor, series_ids, targets, years, now))
            for model, rows in governance.items():
                report.add(model, copy_rows(cursor, model, rows, now))
        for table in report.created:
            cursor.execute(f"ANALYZE {table}")
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _write_system(cursor, report, number, system_id, place_ids, populations, now) -> None:
    s = f"{number:02d}"
    key = f"{KEY_PREFIX}s{s}"
    total = int(populations.sum())
    system = {
        "id": system_id,
        "key": key,
        "slug": key,
        "name": f"Synthetic England ICS {s} (synthetic)",
        "short_name": f"Synthetic ICS {s}",
        "description": SYNTHETIC_NOTE,
        "population": total,
        "population_as_written": f"{total:,} (synthetic)",
        "is_synthetic": True,
    }
    places, facts = [], []
    for p, (place_id, population) in enumerate(
        zip(place_ids, populations.tolist(), strict=True), 1
    ):
        place_key = f"{key}-p{p}"
        places.append(
            {
                "id": place_id,
                "key": place_key,
                "system_id": system_id,
                "slug": place_key,
                "name": f"Synthetic Place {s}.{p} (synthetic)",
                "note": SYNTHETIC_NOTE,
                "is_synthetic": True,
            }
        )
        facts.append(
            {
                "key": f"{place_key}-population",
                "system_id": system_id,
                "place_id": place_id,
                "kind": FactKind.POPULATION,
                "label": "Population (synthetic)",
                "text": f"About {int(population):,} residents (synthetic).",
                "value": population,
                "unit": "residents",
                "as_written": f"{int(population):,}",
                "year": 2025,
                "is_headline": True,
                "note": SYNTHETIC_NOTE,
            }
        )
    report.add(System, copy_rows(cursor, System, [system], now))
    report.add(Place, copy_rows(cursor, Place, places, now))
    report.add(Fact, copy_rows(cursor, Fact, facts, now))


def _write_targets(cursor, series_ids, targets, years, now) -> int:
    """The annual targets (metrics x subjects x years, NaN for none) of a system's series."""
    m, k, y = np.nonzero(~np.isnan(targets))
    rows = [
        {
            "series_id": int(series_ids[k_, m_]),
            "period_start": dt.date(int(years[y_]), 4, 1),
            "period_end": dt.date(int(years[y_]) + 1, 3, 31),
            "period_label": f"{years[y_]}/{(years[y_] + 1) % 100:02d}",
            "value": float(targets[m_, k_, y_]),
            "as_written": f"{targets[m_, k_, y_]:g}",
            "note": "synthetic (illustrative) annual target",
        }
        for m_, k_, y_ in zip(m.tolist(), k.tolist(), y.tolist(), strict=True)
    ]
    return copy_rows(cursor, Target, rows, now)
