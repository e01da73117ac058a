"""The series that are not plain XmR charts: another chart of ``spc_limits`` (p, u, c, g, t,
run...), or limits fixed from a baseline; their limits per point and their special causes.

Series of one chart with neither rebases nor a baseline are computed together
(``batch_limits``, ``spc.control_limits_many``); the others one by one (``chart_summary``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass

import numpy as np

from icsportal import pgcopy

from .. import spc
from ..choices import Chart
from ..models import Observation
from ..spc_points import classify
from .letters import TYPE_LETTERS
from .scopes import ScopeSeries

# Charts whose plotted values are numerator / denominator: the limits need both.
FRACTION_CHARTS = frozenset({Chart.P, Chart.PP, Chart.U, Chart.UP})
# Charts whose limits are the same for every point of a segment: a baseline's extend as they are.
FLAT_CHARTS = frozenset({Chart.I, Chart.RUN, Chart.C, Chart.G, Chart.T})
# A baseline needs at least this many points (as many as limits that are not provisional).
BASELINE_MIN_POINTS = spc.MIN_POINTS


@dataclass
class ChartSummary:
    """What the summary of one such series holds."""

    types: str
    segments: str  # JSON, as SeriesSummary.points["segments"]
    extra: str  # more JSON members of points: ',"chart":..,"limits":..,"baseline":..'
    mean: float
    lower: float
    upper: float
    variation: str
    assurance: str
    provisional: bool


def needs_chart(series: ScopeSeries, i: int) -> bool:
    """Whether series ``i`` is computed here rather than by ``spc.analyse(_many)``."""
    if not series.chart:
        return False
    return (
        series.chart[i] != Chart.I
        or series.baseline[i] is not None
        or series.rules[i] != spc.RULES[0]
    )


def fractions(series_ids: list[int]) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per series: its periods (days since the epoch), numerators and denominators (NaN where
    an observation has none), in period order: one query."""
    rows: dict[int, list[tuple]] = {}
    for sid, period, num, den in (
        Observation.objects.filter(series_id__in=series_ids)
        .order_by("series_id", "period_start")
        .values_list("series_id", "period_start", "numerator", "denominator")
    ):
        rows.setdefault(sid, []).append((period, num, den))
    out = {}
    for sid, items in rows.items():
        out[sid] = (
            np.array([(p - pgcopy.EPOCH).days for p, _, _ in items], dtype=np.int32),
            np.array([np.nan if n is None else n for _, n, _ in items], dtype=np.float64),
            np.array([np.nan if d is None else d for _, _, d in items], dtype=np.float64),
        )
    return out


def _finite(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _round(values: np.ndarray) -> list[float | None]:
    return [None if not math.isfinite(v) else round(v, 10) for v in values.tolist()]


def _labels(periods: np.ndarray, rebase_periods: list[str]) -> list[int]:
    days = {(dt.date.fromisoformat(p) - pgcopy.EPOCH).days for p in rebase_periods}
    labels, k = [], 0
    for j, day in enumerate(periods.tolist()):
        if j and day in days:
            k += 1
        labels.append(k)
    return labels


def _baseline_limits(chart, values, nums, dens, inside, multiplier) -> dict[str, np.ndarray]:
    """Limits from the baseline's points, extended to every point."""
    n = values.size
    if chart == Chart.I:
        # The XmR constants of spc.analyse (mean +/- 2.66 mR-bar), as the dashboards use.
        base = spc.analyse(values[inside])
        return {
            "values": values,
            "centre": np.full(n, base.mean[0]),
            "ll99": np.full(n, base.lower[0]),
            "ul99": np.full(n, base.upper[0]),
            "ll95": np.full(n, base.lower_two_sigma[0]),
            "ul95": np.full(n, base.upper_two_sigma[0]),
        }
    if chart in FLAT_CHARTS:
        base = spc.control_limits(chart, values[inside])
        limits = {k: np.full(n, base[k][0]) for k in spc.LIMIT_KEYS}
        return {"values": values, **limits}
    # p and u: the baseline's centre, with each point's own sigma for its denominator.
    centre = float(nums[inside].sum() / dens[inside].sum())
    spread = centre * (1 - centre) if chart == Chart.P else centre
    sigma = np.sqrt(spread / dens)
    top = 1.0 if chart == Chart.P else math.inf
    limits = {"centre": np.full(n, centre)}
    for k, key in ((2, "95"), (3, "99")):
        limits[f"ll{key}"] = np.clip(centre - k * sigma, 0, top)
        limits[f"ul{key}"] = np.clip(centre + k * sigma, 0, top)
    return {"values": values, **{k: v * multiplier for k, v in limits.items()}}


def _usable(fraction, periods: np.ndarray) -> bool:
    """Whether every point has its numerator and denominator."""
    return (
        fraction is not None
        and fraction[0].size == periods.size
        and bool((fraction[0] == periods).all())
        and bool(np.isfinite(fraction[1]).all())
        and bool(np.isfinite(fraction[2]).all())
    )


def batch_limits(
    series: ScopeSeries,
    rows: list[int],
    values: list[np.ndarray],
    periods: list[np.ndarray],
    found: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> dict[int, dict[str, np.ndarray]]:
    """Limits of the series (of ``rows``) that need neither segments nor a baseline, computed
    together with ``spc.control_limits_many``, one call per chart and multiplier."""
    groups: dict[tuple[str, float], list[int]] = {}
    for k, i in enumerate(rows):
        chart = series.chart[i]
        if chart == Chart.I or series.rebase_periods[i] or series.baseline[i] is not None:
            continue
        if chart in FRACTION_CHARTS and not _usable(found.get(int(series.ids[i])), periods[k]):
            continue
        groups.setdefault((chart, float(series.multiplier[i] or 1)), []).append(k)
    out: dict[int, dict[str, np.ndarray]] = {}
    for (chart, multiplier), members in groups.items():
        lengths = np.array([values[k].size for k in members], dtype=np.int64)
        width = int(lengths.max())
        nums = np.full((len(members), width), np.nan)
        dens = np.full((len(members), width), np.nan) if chart in FRACTION_CHARTS else None
        for r, k in enumerate(members):
            if dens is not None:
                fraction = found[int(series.ids[rows[k]])]
                nums[r, : lengths[r]], dens[r, : lengths[r]] = fraction[1], fraction[2]
            else:
                nums[r, : lengths[r]] = values[k]
        result = spc.control_limits_many(
            chart,
            nums,
            dens,
            lengths=lengths,
            multiplier=multiplier if dens is not None else 1,
        )
        for r, k in enumerate(members):
            out[rows[k]] = {key: result[key][r, : lengths[r]] for key in result}
    return out


def chart_summary(
    series: ScopeSeries,
    i: int,
    *,
    values: np.ndarray,
    periods: np.ndarray,
    fraction: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    improvement: str,
    target: float | None,
    limits: dict[str, np.ndarray] | None = None,
) -> ChartSummary:
    """Series ``i``'s chart: limits with its chart (rebased at its rebase periods, or fixed
    from its baseline), special causes with its rule profile."""
    chart = Chart(series.chart[i])
    multiplier = float(series.multiplier[i] or 1)
    nums = dens = None
    if chart in FRACTION_CHARTS:
        if _usable(fraction, periods):
            nums, dens = fraction[1], fraction[2]
        else:
            # Without every numerator and denominator the chart falls back to XmR.
            chart = Chart.I
    labels = _labels(periods, series.rebase_periods[i])
    baseline = series.baseline[i]
    inside = None
    if baseline is not None:
        first, last = ((dt.date.fromisoformat(d) - pgcopy.EPOCH).days for d in baseline)
        inside = (periods >= first) & (periods <= last)
        if inside.sum() < BASELINE_MIN_POINTS or chart in (Chart.PP, Chart.UP):
            inside = None
    if limits is not None and inside is None:
        pass  # computed with the other series of its chart (batch_limits)
    elif inside is not None:
        limits = _baseline_limits(chart, values, nums, dens, inside, multiplier)
        labels = [0] * values.size
    elif chart in FRACTION_CHARTS:
        limits = spc.control_limits(chart, nums, dens, segments=labels, multiplier=multiplier)
    elif chart == Chart.I:
        rebase_at = [j for j in range(1, len(labels)) if labels[j] != labels[j - 1]]
        result = spc.analyse(values, rebase_at=rebase_at)
        limits = {
            "values": values,
            "centre": np.array(result.mean),
            "ll99": np.array(result.lower),
            "ul99": np.array(result.upper),
            "ll95": np.array(result.lower_two_sigma),
            "ul95": np.array(result.upper_two_sigma),
        }
    else:
        limits = spc.control_limits(chart, values, segments=labels)
    rules = series.rules[i] if series.rules else spc.RULES[0]
    found = classify(
        values, limits, improvement=improvement, target=target, segments=labels, rules=rules
    )
    segments, previous = [], None
    for j, label in enumerate(labels):
        if label != previous:
            segments.append(
                [j, *(_finite(limits[k][j]) for k in ("centre", "ll99", "ul99", "ll95", "ul95"))]
            )
            previous = label
    extra = {"chart": str(chart)}
    if chart not in FLAT_CHARTS:
        extra["limits"] = [_round(np.asarray(limits[k])) for k in ("centre", "ll99", "ul99")]
    if inside is not None:
        where = np.flatnonzero(inside)
        extra["baseline"] = [int(where[0]), int(where[-1])]
    last_segment = values.size - segments[-1][0]
    return ChartSummary(
        types="".join(TYPE_LETTERS[t] for t in found.point_type),
        segments=json.dumps(segments, separators=(",", ":"), allow_nan=False),
        extra="," + json.dumps(extra, separators=(",", ":"), allow_nan=False)[1:-1],
        mean=float(limits["centre"][-1]),
        lower=float(limits["ll99"][-1]),
        upper=float(limits["ul99"][-1]),
        variation=found.variation,
        assurance=found.assurance or "",
        provisional=inside is None and last_segment < spc.MIN_POINTS,
    )
