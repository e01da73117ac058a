"""Statistical process control (SPC) engine: XmR charts with the NHS "Making Data Count" rules.

Pure Python/NumPy (no Django). It reproduces the calculations of the R package NHSRplotthedots
0.2.2 (``R/ptd_spc_standard.R``, ``R/ptd_calculate_point_type.R``,
``R/ptd_calculate_assurance_type.R``, ``R/ptd_add_rebase_column.R``,
``R/ptd_add_short_group_warnings.R`` and the icon selection in ``R/geom_ptd_icon.R``).

Public API
----------
``analyse(values, *, improvement="increase", target=None, rebase_at=(), screen_outliers=True,
rules="nhsrplotthedots")``
    One series, optionally rebased, returns an :class:`SPCResult`.
``analyse_many(matrix, *, improvement="increase", targets=None, lengths=None,
screen_outliers=True, rules="nhsrplotthedots")``
    Many series at once, vectorised with NumPy, returns an :class:`SPCBatchResult`. No rebasing:
    a series with rebase points must go through :func:`analyse`.

``control_limits(chart, numerators, denominators=None, *, sds=None, segments=None,
multiplier=1, screen_outliers=False)`` and ``control_limits_many(...)``
    Centre and limits of the i, mr, run, p, p', u, u', c, g, t, x-bar and s charts (``CHARTS``),
    re-exported from :mod:`metrics.spc_limits`, which documents each method and its source.

The vocabularies (``IMPROVEMENTS``, ``POINT_TYPES``, ``VARIATIONS``, ``ASSURANCES``) are
module-level tuples; the integer codes used by :class:`SPCBatchResult` are the positions in those
tuples (``NO_ASSURANCE`` = -1 means "no assurance", ``PADDING`` = -1 marks point codes past a
series' end). ``LABELS`` maps every value to a human-readable label (for Django ``choices``).

Calculation (per segment; a segment starts at 0 and at every index in ``rebase_at``)
-------------------------------------------------------------------------------------
* mean of the values; moving ranges ``|x[i] - x[i-1]|`` inside the segment (the first point of a
  segment has none); AMR = their mean.
* ``screen_outliers``: moving ranges are kept only when ``mr < 3.267 * AMR`` and the AMR is
  recomputed once from the kept ones.
* process limits ``mean +/- 2.66 * AMR``; "two-sigma" lines ``mean +/- 2 * (2.66 / 3) * AMR``.
* every point gets a special-cause flag when it is (1) strictly beyond a process limit, or part of
  (2) a trend of 7 points each strictly above (below) the one before, (3) a window of 3
  consecutive points all strictly on the same side of the mean with at least 2 of them strictly
  between the two-sigma line and the process limit on that side (only those close points are
  flagged), or (4) a run of 7 points strictly on the same side of the mean.
  ``rules`` picks the profile of rule (3): ``"nhsrplotthedots"`` (the default, as above: a point
  beyond a process limit does not count as close) or ``"mdc"``, where every point strictly
  beyond a two-sigma line counts, beyond the process limit included - the change NHS England's
  Making Data Count team announced for its tools and the Power BI SPC visual makes (a point
  beyond 3 sigma and one beyond 2 sigma within three points then flag both). The first of these
  rules that applies (in that order) decides the point's direction: above/below the mean for
  (1), (3), (4); increasing/decreasing for (2). With ``improvement="increase"`` an upward
  direction is an improvement and a downward one a concern ("decrease": the reverse;
  "neutral": ``special_cause_neutral``). The direction itself is kept per point in
  ``SPCResult.direction`` (+1 high/increasing, -1 low/decreasing, 0 common cause) - in the R
  package it is part of the neutral point type (``special_cause_neutral_high``/``_low``).
* ``variation`` comes from the last point of the whole series, ``assurance`` from the target and
  the last segment's limits.

Sums are always accumulated strictly left to right (``numpy.cumsum`` semantics), in both
:func:`analyse` and :func:`analyse_many`, so the two give bit-identical means and limits and
therefore identical classifications even for points lying exactly on a line.

Decisions
---------
* A series of one point (or a one-point segment): mean = the value; there is no moving range, so
  AMR and every limit are NaN (R: ``mean(numeric(0))`` is NaN). NaN compares false, so the point
  is common cause; with a target the assurance is ``hit_and_miss`` (R's ``case_when`` falls
  through to "inconsistent" when the comparisons are NA).
* ``provisional`` is True when the *last segment* has fewer than 12 points. The package flags
  every (facet, rebase group) whose size is ``< 12`` (``short_group_warning``,
  ``warning_threshold = 12`` in ``tests/testthat/test-ptd_add_short_group_warnings.R``); the
  headline results (``variation`` from the last point, ``assurance`` from the last segment's
  limits) depend only on the last segment, so that is the one that makes them provisional.
  Fewer than 12 points are analysed exactly the same way.
* The portal shows SPC only for a series with at least ``MIN_POINTS`` (12) points since its last
  rebase (:func:`shows_spc`): NHSRplotthedots warns below 12 and Making Data Count asks for 15
  ideally, and limits from a handful of points (or none, from one point) are not evidence of
  anything. Below that the snapshot keeps the values but no variation, assurance or limits,
  and the pages say how many more points are needed. ``analyse`` itself still answers for any
  length, as the package does, so its results stay comparable with the package's.
* ``rebase_at`` holds point indexes; each must be an integer in ``0 .. n-1`` and they must be
  strictly increasing. Index 0 is accepted and changes nothing (the first segment starts there
  anyway; R does the same with a rebase date at the first point).
* ``target`` must be finite (or None). Values must be finite real numbers (``Decimal`` is fine);
  sums that overflow float64 raise ``ValueError`` as well.
* Not supported (not needed by the portal): ``fix_after_n_points``, trajectories, facets (use
  one call per series, or :func:`analyse_many`).

Differences from the summary
----------------------------
Where the brief's summary of the rules and the package disagree, this module follows the package:

1. Constant segment with ``screen_outliers=True`` (``R/ptd_spc_standard.R``): every moving range
   is 0 and the screen keeps only ``mr < 3.267 * AMR`` = ``0 < 0``, so *all* moving ranges are
   dropped and the recomputed AMR is ``mean(<nothing>)`` = NaN: the limits (and two-sigma
   lines) are NaN, not equal to the mean. With ``screen_outliers=False`` the AMR is 0 and the
   limits equal the mean, as in the summary. Either way no point is beyond a limit and every point
   is common cause. (Likewise, if screening leaves only zero moving ranges, e.g. ``[0]*10 + [10]``,
   the AMR is 0, the limits equal the mean and every point off the mean is beyond a limit.)
2. Trend direction (``R/ptd_calculate_point_type.R``, ``ptd_special_cause_type``; NEWS 0.2.2,
   issues #167/#171): all 7 points of every 7-point trend are flagged, and a trend point is
   classified by the *trend's direction*, not by its side of the mean, so an increasing trend
   below the mean is an improvement when higher is better. The direction of each flagged point is
   ``sign(x[i+1] - x[i])`` when the next point is also part of a trend, otherwise
   ``sign(x[i] - x[i-1])``, and anything but +1 counts as decreasing. So where a rising trend
   meets a falling one the shared point goes with the fall: the peak of ``1..8, 7..2``, and the
   first 7 of ``1..7, 7, 6..1`` (a tie, possible only where two trends meet) are "decreasing".
3. ``variation`` high/low (``R/geom_ptd_icon.R``, ``ptd_get_icons``): it is not the last point's
   side of the mean but the direction of its special cause: ``improvement_high`` /
   ``concern_low`` for "increase", ``improvement_low`` / ``concern_high`` for "decrease", and
   ``neutral_high``/``neutral_low`` from the special-cause direction (so a decreasing trend ending
   above the mean is ``neutral_low``). A common-cause last point is ``common_cause`` whatever its
   side.
4. Assurance sides (``R/ptd_calculate_assurance_type.R``): the package compares the *target* with
   the limits: for "increase", ``target > upper`` is ``consistent_fail`` (the process cannot
   reach it) and ``target < lower`` is ``consistent_pass``; for "decrease" the reverse; anything
   else, equality with a limit and NaN limits included, is ``hit_and_miss`` (the package's
   "inconsistent"). Read literally, "target beyond the limit on the good side -> pass" in the
   summary is the opposite of this.
5. Two-of-three (``R/ptd_spc_standard.R``, ``close_to_limits = !outside_limits & ...``): as the
   summary says, a point beyond a limit does not count towards the two close points, but it does
   take part in the window's "all three strictly on the same side of the mean" condition (it
   is flagged anyway by rule 1). A point exactly on a two-sigma line is not close (strict).
6. Neutral point types: the package's ``special_cause_neutral_high``/``_low`` become
   ``special_cause_neutral`` here (the brief's vocabulary); high/low is kept per point in
   ``SPCResult.direction`` and for the last point in ``variation``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from metrics.spc_limits import CHARTS, control_limits, control_limits_many

__all__ = [
    "ASSURANCES",
    "CHARTS",
    "IMPROVEMENTS",
    "LABELS",
    "LIMIT",
    "LIMIT_CLOSE",
    "MIN_POINTS",
    "NO_ASSURANCE",
    "OUTLIER_SCREEN",
    "PADDING",
    "POINT_TYPES",
    "RULES",
    "RUN_LENGTH",
    "TREND_LENGTH",
    "VARIATIONS",
    "SPCBatchResult",
    "SPCResult",
    "analyse",
    "analyse_many",
    "control_limits",
    "points_needed",
    "shows_spc",
    "control_limits_many",
]

# --------------------------------------------------------------------------------------------
# Vocabulary and constants
# --------------------------------------------------------------------------------------------

IMPROVEMENTS = ("increase", "decrease", "neutral")
POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral",
)
VARIATIONS = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
ASSURANCES = ("consistent_pass", "consistent_fail", "hit_and_miss")
RULES = ("nhsrplotthedots", "mdc")  #: rule profiles; see the module docstring, rule (3)

LABELS = {
    "increase": "Increase is improvement",
    "decrease": "Decrease is improvement",
    "neutral": "Neutral (no improvement direction)",
    "common_cause": "Common cause variation",
    "special_cause_improvement": "Special cause - improvement",
    "special_cause_concern": "Special cause - concern",
    "special_cause_neutral": "Special cause - neutral",
    "improvement_high": "Special cause improvement (high)",
    "improvement_low": "Special cause improvement (low)",
    "concern_high": "Special cause concern (high)",
    "concern_low": "Special cause concern (low)",
    "neutral_high": "Special cause neutral (high)",
    "neutral_low": "Special cause neutral (low)",
    "consistent_pass": "Consistently passes the target",
    "consistent_fail": "Consistently fails the target",
    "hit_and_miss": "Hit and miss the target",
}

NO_ASSURANCE = -1  #: assurance code when there is no target or the direction is neutral
PADDING = -1  #: point-type code past a series' length in SPCBatchResult.point_type

LIMIT = 2.66  #: process limits at mean +/- LIMIT * AMR
LIMIT_CLOSE = 2 * (LIMIT / 3)  #: "two-sigma" lines (computed as in R: 2 * (limit / 3))
OUTLIER_SCREEN = 3.267  #: moving ranges kept when mr < OUTLIER_SCREEN * AMR
RUN_LENGTH = 7  #: points in a row on one side of the mean
TREND_LENGTH = 7  #: points in a row each above (below) the previous one
MIN_POINTS = 12  #: fewer points than this in the last segment -> provisional, and no SPC shown


def shows_spc(points_in_last_segment: int) -> bool:
    """Whether a series with this many points since its last rebase has enough for SPC
    (variation, assurance and limits are shown): at least ``MIN_POINTS``."""
    return points_in_last_segment >= MIN_POINTS


def points_needed(points_in_last_segment: int) -> int:
    """How many more points the last segment needs before SPC is shown (0 when it has enough)."""
    return max(0, MIN_POINTS - points_in_last_segment)


_INCREASE, _DECREASE, _NEUTRAL = range(3)
_PT_COMMON, _PT_IMPROVEMENT, _PT_CONCERN, _PT_NEUTRAL = range(4)
(
    _VAR_COMMON,
    _VAR_IMPROVEMENT_HIGH,
    _VAR_IMPROVEMENT_LOW,
    _VAR_CONCERN_HIGH,
    _VAR_CONCERN_LOW,
    _VAR_NEUTRAL_HIGH,
    _VAR_NEUTRAL_LOW,
) = range(7)
_AS_PASS, _AS_FAIL, _AS_HIT_AND_MISS = range(3)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SPCResult:
    """Result of :func:`analyse` for one series of ``n`` points.

    Per-point tuples (length ``n``): ``mean``, ``lower``, ``upper``, ``upper_two_sigma``,
    ``lower_two_sigma`` (each point carries its segment's values; NaN when the segment has a
    single point or screening left no moving range), ``point_type`` (values of
    ``POINT_TYPES``), ``segment`` (0, 1, ...), and ``direction`` (+1 special cause
    high/increasing, -1 low/decreasing, 0 common cause).

    Whole series: ``variation`` (``VARIATIONS``, from the last point), ``assurance``
    (``ASSURANCES`` or None), ``provisional`` (last segment shorter than ``MIN_POINTS``),
    ``n``, and the inputs ``improvement`` and ``target``.
    """

    mean: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    upper_two_sigma: tuple[float, ...]
    lower_two_sigma: tuple[float, ...]
    point_type: tuple[str, ...]
    variation: str
    assurance: str | None
    provisional: bool
    segment: tuple[int, ...]
    n: int
    direction: tuple[int, ...]
    improvement: str
    target: float | None


@dataclass(frozen=True, eq=False)
class SPCBatchResult:
    """Result of :func:`analyse_many` for ``n_series`` series (no rebasing, one segment each).

    Arrays (read-only), indexed by series ``i``:

    * ``lengths`` (int64), ``improvement`` (int8 codes into ``IMPROVEMENTS``), ``targets``
      (float64, NaN = no target);
    * ``mean``, ``lower``, ``upper``, ``upper_two_sigma``, ``lower_two_sigma`` (float64): one
      value per series, since without rebasing every point of a series shares them;
    * ``point_type`` (int8, ``n_series x max_len``): codes into ``POINT_TYPES``, ``PADDING``
      past each series' length; ``direction`` (int8, same shape): +1 / -1 / 0 as in
      :class:`SPCResult` (0 in the padding). Both are transposed views of time-major arrays
      (Fortran order); use ``np.ascontiguousarray`` where C order matters;
    * ``variation`` (int8 codes into ``VARIATIONS``), ``assurance`` (int8 codes into
      ``ASSURANCES``, ``NO_ASSURANCE`` = -1 for none), ``provisional`` (bool).

    ``result(i)`` builds the :class:`SPCResult` that ``analyse`` returns for series ``i``.
    """

    lengths: np.ndarray
    improvement: np.ndarray
    targets: np.ndarray
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    upper_two_sigma: np.ndarray
    lower_two_sigma: np.ndarray
    point_type: np.ndarray
    direction: np.ndarray
    variation: np.ndarray
    assurance: np.ndarray
    provisional: np.ndarray

    def __len__(self) -> int:
        return int(self.lengths.shape[0])

    @property
    def n_series(self) -> int:
        return len(self)

    def result(self, i: int) -> SPCResult:
        """The :class:`SPCResult` of series ``i`` (equal to ``analyse`` on that series)."""
        count = len(self)
        if not -count <= i < count:
            raise IndexError(f"series index {i} out of range for {count} series")
        n = int(self.lengths[i])
        target = float(self.targets[i])
        assurance = int(self.assurance[i])

        def repeat(array: np.ndarray) -> tuple[float, ...]:
            return (float(array[i]),) * n

        return SPCResult(
            mean=repeat(self.mean),
            lower=repeat(self.lower),
            upper=repeat(self.upper),
            upper_two_sigma=repeat(self.upper_two_sigma),
            lower_two_sigma=repeat(self.lower_two_sigma),
            point_type=tuple(POINT_TYPES[c] for c in self.point_type[i, :n].tolist()),
            variation=VARIATIONS[int(self.variation[i])],
            assurance=None if assurance == NO_ASSURANCE else ASSURANCES[assurance],
            provisional=bool(self.provisional[i]),
            segment=(0,) * n,
            n=n,
            direction=tuple(self.direction[i, :n].tolist()),
            improvement=IMPROVEMENTS[int(self.improvement[i])],
            target=None if math.isnan(target) else target,
        )

    def results(self) -> Iterator[SPCResult]:
        """Every series' :class:`SPCResult`, in order."""
        for i in range(len(self)):
            yield self.result(i)

    def variation_labels(self) -> list[str]:
        """``variation`` as strings (values of ``VARIATIONS``)."""
        return [VARIATIONS[c] for c in self.variation.tolist()]

    def assurance_labels(self) -> list[str | None]:
        """``assurance`` as strings (values of ``ASSURANCES``) or None."""
        return [None if c == NO_ASSURANCE else ASSURANCES[c] for c in self.assurance.tolist()]


# --------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------


def _improvement_code(improvement: object) -> int:
    if isinstance(improvement, str) and improvement in IMPROVEMENTS:
        return IMPROVEMENTS.index(improvement)
    raise ValueError(f"improvement must be one of {IMPROVEMENTS!r}, got {improvement!r}")


def _rules_check(rules: object) -> bool:
    """True when points beyond a process limit count towards two-of-three ("mdc")."""
    if isinstance(rules, str) and rules in RULES:
        return rules == "mdc"
    raise ValueError(f"rules must be one of {RULES!r}, got {rules!r}")


def _to_float(value: object, what: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (numbers.Real, Decimal, Fraction)
    ):
        raise ValueError(f"{what} must be a real number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return result


def _values_list(values: object) -> list[float]:
    if isinstance(values, (str, bytes)):
        raise ValueError("values must be a sequence of numbers, not a string")
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise ValueError(f"values must be one-dimensional, got shape {values.shape}")
        if values.dtype.kind in "iuf":
            result = values.astype(np.float64).tolist()
            for i, x in enumerate(result):
                if not math.isfinite(x):
                    raise ValueError(f"values[{i}] must be finite, got {x!r}")
            return result
        values = values.tolist()
    try:
        items = list(values)  # type: ignore[call-overload]
    except TypeError:
        raise ValueError(f"values must be a sequence of numbers, got {values!r}") from None
    return [_to_float(x, f"values[{i}]") for i, x in enumerate(items)]


def _rebase_indexes(rebase_at: object, n: int) -> list[int]:
    if isinstance(rebase_at, (str, bytes)):
        raise ValueError("rebase_at must be a sequence of point indexes")
    try:
        items = list(rebase_at)  # type: ignore[call-overload]
    except TypeError:
        raise ValueError(
            f"rebase_at must be a sequence of point indexes, got {rebase_at!r}"
        ) from None
    result: list[int] = []
    for item in items:
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Integral):
            raise ValueError(f"rebase_at must contain integer indexes, got {item!r}")
        index = int(item)
        if not 0 <= index < n:
            raise ValueError(f"rebase index {index} is out of range for a series of {n} points")
        if result and index <= result[-1]:
            raise ValueError(f"rebase_at must be strictly increasing, got {items!r}")
        result.append(index)
    return result


# --------------------------------------------------------------------------------------------
# Single series: a direct transcription of the R functions (reference implementation)
# --------------------------------------------------------------------------------------------


def _sequential_sum(xs: Sequence[float]) -> float:
    # Left-to-right accumulation, exactly like numpy.cumsum / the vectorised path.
    total = 0.0
    for x in xs:
        total += x
    return total


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _seven_point_one_side_mean(rtm: Sequence[int]) -> list[int]:
    """R ``ptd_seven_point_one_side_mean``: 1 where the 7 points ending here share a side."""
    result, run = [], 0
    for i, side in enumerate(rtm):
        run = run + 1 if i and side != 0 and side == rtm[i - 1] else int(side != 0)
        result.append(int(run >= 7))
    return result


def _part_of_seven_trend(v: Sequence[int]) -> list[int]:
    """R ``ptd_part_of_seven_trend``: 1 where this or one of the next 6 values is +/-1."""
    result = [0] * len(v)
    nearest = None  # the closest index at or after i holding +/-1
    for i in range(len(v) - 1, -1, -1):
        if abs(v[i]) == 1:
            nearest = i
        result[i] = int(nearest is not None and nearest - i <= 6)
    return result


def _seven_point_trend(y: Sequence[float]) -> list[int]:
    """R ``ptd_seven_point_trend``: +1 / -1 where the 7 points ending here rise / fall
    (6 consecutive steps of the same strict sign)."""
    result = [0] * len(y)
    run, previous = 0, 0
    for i in range(1, len(y)):
        step = _sign(y[i] - y[i - 1])
        run = run + 1 if step != 0 and step == previous else int(step != 0)
        previous = step
        if run >= 6:
            result[i] = step
    return result


def _two_in_three(close: Sequence[int], rtm: Sequence[int]) -> list[int]:
    """R ``ptd_two_in_three``: 1 where a window of 3 around the point has >= 2 close points
    and all 3 points strictly on the same side of the mean (both padded with two zeros at
    each end, so windows reaching past the ends never qualify)."""
    n = len(close)
    vp = [0, 0, *close, 0, 0]
    rp = [0, 0, *rtm, 0, 0] + [0] * (n - len(rtm))
    window = [
        vp[j] + vp[j + 1] + vp[j + 2] >= 2 and abs(rp[j] + rp[j + 1] + rp[j + 2]) == 3
        for j in range(n + 2)
    ]
    return [int(window[i] or window[i + 1] or window[i + 2]) for i in range(n)]


def _part_of_two_in_three(v: Sequence[int], close: Sequence[int]) -> list[int]:
    """R ``ptd_part_of_two_in_three``: only the close points of a 2-in-3 window."""
    return [int(a == 1 and abs(b) == 1) for a, b in zip(v, close, strict=True)]


def _special_cause_types(
    y: Sequence[float],
    rtm: Sequence[int],
    outside: Sequence[int],
    part_trend: Sequence[int],
    part_two_in_three: Sequence[int],
    part_one_side: Sequence[int],
) -> list[str]:
    """R ``ptd_special_cause_type`` (0.2.2), given the per-rule flags."""
    n = len(y)
    sdy = [_sign(y[i + 1] - y[i]) for i in range(n - 1)]
    result = []
    for i in range(n):
        side = "Above" if rtm[i] > 0 else "Below"
        if outside[i] != 0:
            result.append("Above UCL" if rtm[i] == 1 else "Below LCL")
        elif part_trend[i] != 0:
            # "if a point is part of a trend either side, use right side"
            if i + 1 < n and part_trend[i + 1]:
                step = sdy[i]
            else:
                step = sdy[i - 1] if i > 0 else 0
            result.append(f"7 Point Trend ({'In' if step == 1 else 'De'}creasing)")
        elif part_two_in_three[i] != 0:
            result.append(f"2 in 3 {side} CL")
        elif part_one_side[i] != 0:
            result.append(f"7 Points {side} CL")
        else:
            result.append("Common Cause")
    return result


def _direction(special_cause_type: str) -> int:
    """R ``ptd_point_type``: +1 for Above/Increasing, -1 for Below/Decreasing, else 0."""
    if "Above" in special_cause_type or "Increasing" in special_cause_type:
        return 1
    if "Below" in special_cause_type or "Decreasing" in special_cause_type:
        return -1
    return 0


def _segment_stats(y: Sequence[float], screen_outliers: bool) -> tuple[float, float]:
    n = len(y)
    total = _sequential_sum(y)
    mrs = [abs(y[i] - y[i - 1]) for i in range(1, n)]
    mr_total = _sequential_sum(mrs)
    if not (math.isfinite(total) and math.isfinite(mr_total)):
        raise ValueError("values are too large: their sum or moving ranges overflow float64")
    mean = total / n
    amr = mr_total / len(mrs) if mrs else math.nan
    if screen_outliers and mrs:
        threshold = OUTLIER_SCREEN * amr
        kept = [mr for mr in mrs if mr < threshold]
        amr = _sequential_sum(kept) / len(kept) if kept else math.nan
    return mean, amr


def _analyse_segment(
    y: Sequence[float], screen_outliers: bool, outside_counts: bool = False
) -> tuple[float, float, float, float, float, list[int]]:
    mean, amr = _segment_stats(y, screen_outliers)
    lpl = mean - (LIMIT * amr)
    upl = mean + (LIMIT * amr)
    nlpl = mean - (LIMIT_CLOSE * amr)
    nupl = mean + (LIMIT_CLOSE * amr)
    outside = [int(x > upl or x < lpl) for x in y]
    rtm = [_sign(x - mean) for x in y]
    close = [
        int((outside_counts or not o) and (x < nlpl or x > nupl))
        for x, o in zip(y, outside, strict=True)
    ]
    part_trend = _part_of_seven_trend(_seven_point_trend(y))
    part_23 = _part_of_two_in_three(_two_in_three(close, rtm), close)
    part_side = _part_of_seven_trend(_seven_point_one_side_mean(rtm))
    types = _special_cause_types(y, rtm, outside, part_trend, part_23, part_side)
    return mean, lpl, upl, nlpl, nupl, [_direction(t) for t in types]


def _point_type(direction: int, improvement: int) -> str:
    if direction == 0:
        return "common_cause"
    if improvement == _NEUTRAL:
        return "special_cause_neutral"
    good = (direction > 0) == (improvement == _INCREASE)
    return "special_cause_improvement" if good else "special_cause_concern"


def _variation(point_type: str, direction: int) -> str:
    if point_type == "common_cause":
        return "common_cause"
    high = direction > 0
    prefix = {
        "special_cause_improvement": "improvement",
        "special_cause_concern": "concern",
        "special_cause_neutral": "neutral",
    }[point_type]
    return f"{prefix}_{'high' if high else 'low'}"


def _assurance(target: float | None, improvement: int, lpl: float, upl: float) -> str | None:
    if target is None or improvement == _NEUTRAL:
        return None
    increasing = improvement == _INCREASE
    if target > upl:
        return "consistent_fail" if increasing else "consistent_pass"
    if target < lpl:
        return "consistent_pass" if increasing else "consistent_fail"
    return "hit_and_miss"


def analyse(
    values: Sequence[float] | np.ndarray,
    *,
    improvement: str = "increase",
    target: float | None = None,
    rebase_at: Sequence[int] = (),
    screen_outliers: bool = True,
    rules: str = "nhsrplotthedots",
) -> SPCResult:
    """Analyse one series as an XmR chart with the "Making Data Count" rules.

    ``values``: finite real numbers in time order (at least one). ``improvement``: "increase",
    "decrease" or "neutral" (the package's default is "increase"). ``target``: finite number
    or None. ``rebase_at``: strictly increasing point indexes, each starting a new segment with
    its own mean and limits; no rule crosses a rebase. ``screen_outliers``: drop moving ranges
    ``>= 3.267 * AMR`` and recompute the AMR once. ``rules``: one of ``RULES``; "mdc" also
    counts points beyond a process limit towards two-of-three beyond two sigma.

    Raises ``ValueError`` for an empty series, non-finite or non-numeric values, an unknown
    improvement or rule profile, a non-finite target, or bad rebase indexes. See the module
    docstring for the rules and the decisions taken.
    """
    imp = _improvement_code(improvement)
    outside_counts = _rules_check(rules)
    ys = _values_list(values)
    n = len(ys)
    if n == 0:
        raise ValueError("values must contain at least one point")
    tgt = None if target is None else _to_float(target, "target")
    starts = [0, *(i for i in _rebase_indexes(rebase_at, n) if i > 0)]
    bounds = [*starts, n]

    mean: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    lower_two: list[float] = []
    upper_two: list[float] = []
    directions: list[int] = []
    segment: list[int] = []
    lpl = upl = math.nan
    for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        m, lpl, upl, nlpl, nupl, dirs = _analyse_segment(ys[a:b], screen_outliers, outside_counts)
        size = b - a
        mean += [m] * size
        lower += [lpl] * size
        upper += [upl] * size
        lower_two += [nlpl] * size
        upper_two += [nupl] * size
        directions += dirs
        segment += [k] * size

    point_type = tuple(_point_type(d, imp) for d in directions)
    return SPCResult(
        mean=tuple(mean),
        lower=tuple(lower),
        upper=tuple(upper),
        upper_two_sigma=tuple(upper_two),
        lower_two_sigma=tuple(lower_two),
        point_type=point_type,
        variation=_variation(point_type[-1], directions[-1]),
        assurance=_assurance(tgt, imp, lpl, upl),
        provisional=(bounds[-1] - bounds[-2]) < MIN_POINTS,
        segment=tuple(segment),
        n=n,
        direction=tuple(directions),
        improvement=IMPROVEMENTS[imp],
        target=tgt,
    )


# --------------------------------------------------------------------------------------------
# Many series: vectorised across series
# --------------------------------------------------------------------------------------------

_CHUNK = 1024  # series per block: keeps the block's working set in the CPU caches
_TILE = 16  # time steps per inner loop in _per_series


def _sum_over_time(a: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
    """Sum a (time x series) block over time, strictly in time order.

    NumPy reduces along a non-contiguous axis by adding whole rows one after another (pairwise
    summation is only used along the contiguous axis, which is why a single column goes
    through ``cumsum``), so every column is accumulated left to right, exactly like
    :func:`_sequential_sum`; masked-out cells are skipped. The vectorised tests check this bit
    for bit against :func:`analyse`.
    """
    if a.shape[0] == 0:
        return np.zeros(a.shape[1])
    if a.shape[1] == 1:  # a single column is contiguous, and NumPy would sum it pairwise
        return np.cumsum(a if where is None else np.where(where, a, 0.0), axis=0)[-1]
    if where is None:
        return np.add.reduce(a, axis=0)
    return np.add.reduce(a, axis=0, where=where, initial=0.0)


def _windows_all(flags: np.ndarray, width: int) -> np.ndarray:
    """``out[s] = flags[s] & ... & flags[s + width - 1]`` along axis 0, by doubling."""
    span, out = 1, flags
    while span < width:
        step = min(span, width - span)
        out = out[:-step] & out[step:]
        span += step
    return out


def _dilate(starts: np.ndarray, width: int) -> np.ndarray:
    """Mark every point covered by a window of ``width`` starting where ``starts`` is True.

    ``starts`` has one row per possible window start; the result has ``width - 1`` more rows
    (one per point): ``out[p] = starts[p - width + 1] | ... | starts[p]`` (missing rows False),
    built by doubling.
    """
    span, out = 1, starts
    while span < width:
        step = min(span, width - span)
        rows = out.shape[0]
        grown = np.empty((rows + step, out.shape[1]), dtype=out.dtype)
        grown[:step] = out[:step]
        np.bitwise_or(out[step:], out[:-step], out=grown[step:rows])
        grown[rows:] = out[rows - step :]
        out = grown
        span += step
    return out


def _per_series(
    op: np.ufunc, a: np.ndarray, per_series: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """``op(a, per_series)`` for a C-contiguous (time x series) block ``a``.

    Same result as broadcasting, but ``_TILE`` consecutive time steps are handled by one inner
    loop (the block is viewed as (time / _TILE) x (_TILE * series) against the per-series
    values repeated _TILE times), which avoids NumPy's per-row overhead on short rows.
    """
    rows, cols = a.shape
    if out is None:
        out = np.empty((rows, cols), dtype=bool)
    if not (a.flags.c_contiguous and out.flags.c_contiguous):  # reshape would copy: broadcast
        return op(a, per_series, out=out)
    main = rows - rows % _TILE
    if main:
        shape = (main // _TILE, _TILE * cols)
        tiled = np.empty((_TILE, cols), dtype=per_series.dtype)
        tiled[...] = per_series
        op(a[:main].reshape(shape), tiled.reshape(-1), out=out[:main].reshape(shape))
    if main < rows:
        op(a[main:], per_series, out=out[main:])
    return out


def _i8(flags: np.ndarray) -> np.ndarray:
    return flags.view(np.int8)


def _block(
    xt: np.ndarray,
    lengths: np.ndarray,
    valid: np.ndarray | None,
    total: np.ndarray | None,
    imp: np.ndarray,
    screen_outliers: bool,
    first_row: int,
    scratch: np.ndarray,
    outside_counts: bool = False,
) -> tuple[np.ndarray, ...]:
    """Analyse a (time x series) block of series ``first_row ...``.

    ``valid`` is None when every series fills the block, otherwise the (time x series) mask of
    cells inside each series, with NaN in every cell outside it. ``total`` is the per-series
    sum when already known. Returns per-series mean, lower, upper, lower and upper two-sigma
    lines, the last point's point-type code and direction (bool, up), and the (time x series)
    point-type and direction codes.
    """
    t_len, count = xt.shape
    if total is None:
        total = _sum_over_time(xt, valid)
    step = np.subtract(xt[1:], xt[:-1], out=scratch[0, 1:])  # x[i] - x[i-1]; NaN in the padding
    mr = np.abs(step, out=scratch[1, 1:])
    valid_mr = None if valid is None else valid[1:]
    mr_total = _sum_over_time(mr, valid_mr)
    bad = ~(np.isfinite(total) & np.isfinite(mr_total))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        where = f"series {first_row + i}"
        if not np.isfinite(xt[: lengths[i], i]).all():
            raise ValueError(f"{where} contains NaN or infinite values")
        raise ValueError(f"{where} is too large: its sum or moving ranges overflow float64")
    mean = total / lengths
    amr = mr_total / (lengths - 1)
    if screen_outliers:
        keep = _per_series(np.less, mr, OUTLIER_SCREEN * amr)  # False for NaN (padding, AMR)
        kept = np.add.reduce(keep.view(np.uint8), axis=0, dtype=np.int32)
        np.copyto(mr, 0.0, where=~keep)  # adding 0.0 leaves a running sum unchanged
        amr = _sum_over_time(mr) / kept
    lpl = mean - (LIMIT * amr)
    upl = mean + (LIMIT * amr)
    nlpl = mean - (LIMIT_CLOSE * amr)
    nupl = mean + (LIMIT_CLOSE * amr)

    # Per-point flags; NaN padding (and NaN limits) make every comparison False.
    centred = _per_series(np.subtract, xt, mean, out=scratch[2])
    above = centred > 0  # R: relative_to_mean = sign(y - mean)
    below = centred < 0
    outside = _per_series(np.greater, xt, upl)
    outside |= _per_series(np.less, xt, lpl)
    close = _per_series(np.less, xt, nlpl)
    close |= _per_series(np.greater, xt, nupl)
    if not outside_counts:  # "mdc" keeps the points beyond a limit
        close ^= outside  # R: !outside_limits & (y < nlpl | y > nupl); outside implies 2-sigma

    # The rules combine flags of neighbouring time steps only, so they run on the flags packed
    # 8 series to a byte (np.packbits along the series axis): shifts in time stay row offsets.
    above, below, outside, close = (np.packbits(f, axis=1) for f in (above, below, outside, close))
    special = outside.copy()
    up = above  # direction of the deciding rule: the side of the mean, except for trends

    if t_len >= 3:  # two of three close to a limit, all three on one side of the mean
        c0, c1, c2 = close[:-2], close[1:-1], close[2:]
        window = _windows_all(above, 3) | _windows_all(below, 3)
        window &= (c0 & (c1 | c2)) | (c1 & c2)
        if window.any():
            special |= close & _dilate(window, 3)
    if t_len >= max(RUN_LENGTH, TREND_LENGTH):
        # runs on one side of the mean, and trends (7 points = 6 strict steps)
        inc = np.packbits(step > 0, axis=1)
        trends = _windows_all(inc, TREND_LENGTH - 1)
        trends |= _windows_all(np.packbits(step < 0, axis=1), TREND_LENGTH - 1)
        starts = _windows_all(above, RUN_LENGTH)
        starts |= _windows_all(below, RUN_LENGTH)
        starts |= trends
        if starts.any():
            special |= _dilate(starts, RUN_LENGTH)
        if trends.any():
            # A trend point's direction: the step to the next point if that one is also in a
            # trend, otherwise the step from the previous point; only +1 is "increasing".
            # With right[p] = inc[p] and left[p] = inc[p - 1] (False for p = 0 / p = last):
            # trend_up = left ^ (both & (right ^ left)), both = trend[p] & trend[p + 1].
            trend = _dilate(trends, TREND_LENGTH)
            trend_up = np.zeros_like(trend)
            trend_up[1:] = inc  # left
            flip = trend[:-1] & trend[1:]
            flip &= inc ^ trend_up[:-1]
            trend_up[:-1] ^= flip
            trend &= ~outside  # where the trend decides the direction
            trend &= above ^ trend_up
            up = above ^ trend

    # Codes, computed on int8 views of the unpacked flags (special, and special & down).
    special8 = np.unpackbits(special, axis=1, count=count).view(np.int8)
    down8 = np.unpackbits(special & ~up, axis=1, count=count).view(np.int8)
    direction = special8 - 2 * down8
    neutral = imp == _NEUTRAL
    increasing = imp == _INCREASE
    # point type = special + concern + 2 * neutral: 0 common, 1 improvement, 2 concern, 3 neutral
    if neutral.all():
        point_type = 3 * special8
    elif increasing.all():
        point_type = special8 + down8
    elif (imp == _DECREASE).all():
        point_type = 2 * special8 - down8
    else:  # mixed directions: per-series flags, tiled like the comparisons
        down = down8.view(bool)
        concern = _per_series(np.equal, down, increasing)  # down if increase, up if decrease
        concern &= special8.view(bool)
        _per_series(np.greater, concern, neutral, out=concern)  # concern & ~neutral
        point_type = special8 + _i8(concern)
        if neutral.any():
            point_type += 2 * _i8(_per_series(np.logical_and, special8.view(bool), neutral))
    if valid is not None:
        point_type -= _i8(~valid)  # PADDING (-1) past each length

    cols = np.arange(count)
    last = lengths - 1
    pt_last = point_type[last, cols]
    up_last = down8[last, cols] == 0  # the direction of a special-cause last point
    return mean, lpl, upl, nlpl, nupl, pt_last, up_last, point_type, direction


def _variation_codes(pt_last: np.ndarray, up_last: np.ndarray) -> np.ndarray:
    return np.select(
        [pt_last == _PT_COMMON, pt_last == _PT_IMPROVEMENT, pt_last == _PT_CONCERN],
        [
            _VAR_COMMON,
            np.where(up_last, _VAR_IMPROVEMENT_HIGH, _VAR_IMPROVEMENT_LOW),
            np.where(up_last, _VAR_CONCERN_HIGH, _VAR_CONCERN_LOW),
        ],
        np.where(up_last, _VAR_NEUTRAL_HIGH, _VAR_NEUTRAL_LOW),
    ).astype(np.int8)


def _assurance_codes(
    targets: np.ndarray, imp: np.ndarray, lpl: np.ndarray, upl: np.ndarray
) -> np.ndarray:
    increasing = imp == _INCREASE
    with np.errstate(invalid="ignore"):
        return np.select(
            [np.isnan(targets) | (imp == _NEUTRAL), targets > upl, targets < lpl],
            [
                NO_ASSURANCE,
                np.where(increasing, _AS_FAIL, _AS_PASS),
                np.where(increasing, _AS_PASS, _AS_FAIL),
            ],
            _AS_HIT_AND_MISS,
        ).astype(np.int8)


_IMPROVEMENT_CODES = {name: code for code, name in enumerate(IMPROVEMENTS)}


def _batch_improvement(improvement: object, count: int) -> np.ndarray:
    if isinstance(improvement, str):
        return np.full(count, _improvement_code(improvement), dtype=np.int8)
    if isinstance(improvement, np.ndarray) and improvement.dtype.kind == "U":
        names = improvement.reshape(-1)
        if names.shape[0] != count:
            raise ValueError(f"improvement has {names.shape[0]} entries for {count} series")
        codes = np.full(count, -1, dtype=np.int8)
        for name, code in _IMPROVEMENT_CODES.items():
            codes[names == name] = code
    else:
        try:
            items = list(improvement)  # type: ignore[call-overload]
        except TypeError:
            raise ValueError(
                f"improvement must be one of {IMPROVEMENTS!r}, got {improvement!r}"
            ) from None
        if len(items) != count:
            raise ValueError(f"improvement has {len(items)} entries for {count} series")
        lookup = _IMPROVEMENT_CODES.get
        codes = np.array(
            [lookup(x, -1) if isinstance(x, str) else -1 for x in items], dtype=np.int8
        ).reshape(count)
    if (codes < 0).any():
        bad = improvement[int(np.flatnonzero(codes < 0)[0])]  # type: ignore[index]
        raise ValueError(f"improvement must be one of {IMPROVEMENTS!r}, got {bad!r}")
    return codes


_NUMBER_TYPES = (numbers.Real, Decimal, Fraction, type(None))


def _batch_targets(targets: object, count: int) -> np.ndarray:
    if targets is None:
        return np.full(count, np.nan)
    if isinstance(targets, np.ndarray) and targets.dtype.kind in "iuf":
        arr = targets.astype(np.float64).reshape(-1)
        if arr.shape[0] != count:
            raise ValueError(f"targets has {arr.shape[0]} entries for {count} series")
    else:
        try:
            items = list(targets)  # type: ignore[call-overload]
        except TypeError:
            raise ValueError(f"targets must be a sequence, got {targets!r}") from None
        if len(items) != count:
            raise ValueError(f"targets has {len(items)} entries for {count} series")
        for kind in set(map(type, items)):  # a handful of types: checked once each
            if issubclass(kind, (bool, np.bool_)) or not issubclass(kind, _NUMBER_TYPES):
                i = next(i for i, t in enumerate(items) if type(t) is kind)
                raise ValueError(f"targets[{i}] must be a real number or None, got {items[i]!r}")
        arr = np.array(items, dtype=np.float64).reshape(count)  # None -> NaN
    if np.isinf(arr).any():
        raise ValueError("targets must be finite numbers, None or NaN")
    return arr


def _infer_lengths(xt: np.ndarray, first_row: int) -> np.ndarray:
    t_len, count = xt.shape
    missing = np.isnan(xt)
    if not missing.any():
        return np.full(count, t_len, dtype=np.int64)
    lengths = np.where(missing.any(axis=0), missing.argmax(axis=0), t_len).astype(np.int64)
    if (lengths == 0).any():
        i = int(np.flatnonzero(lengths == 0)[0])
        raise ValueError(f"series {first_row + i} is empty (its row starts with NaN)")
    present = t_len - np.count_nonzero(missing, axis=0)
    wrong = present != lengths
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        raise ValueError(
            f"series {first_row + i} has NaN before its last value; NaN is only allowed as "
            "trailing padding (or pass lengths=)"
        )
    return lengths


def analyse_many(
    matrix: np.ndarray | Sequence[Sequence[float]],
    *,
    improvement: str | Sequence[str] = "increase",
    targets: Sequence[float | None] | np.ndarray | None = None,
    lengths: Sequence[int] | np.ndarray | None = None,
    screen_outliers: bool = True,
    rules: str = "nhsrplotthedots",
) -> SPCBatchResult:
    """Analyse many series at once; ``result(i)`` equals ``analyse`` on series ``i``.

    ``matrix``: 2-D array-like, ``n_series x max_len``; row ``i`` holds series ``i`` in time
    order, left-aligned. ``lengths``: per-series lengths (1 .. max_len); cells past a length are
    ignored. Without ``lengths``, a row ends at its first NaN (NaN is only allowed as trailing
    padding). ``improvement``: one of ``IMPROVEMENTS`` for all series, or a sequence with one
    per series. ``targets``: None, or one per series (None or NaN for no target).
    ``screen_outliers`` and ``rules`` as in :func:`analyse`. No rebasing: series with rebase
    points go through :func:`analyse`.

    The work is vectorised across series: each block of ``_CHUNK`` series (small enough to stay
    in the CPU caches) is copied to a time x series buffer and every statistic and rule is
    computed with whole-block NumPy operations - sums reduced over time in time order (so the
    results are bit-identical to ``analyse``), comparisons against per-series limits, and the
    runs, trends and 2-of-3 windows as doubling window-ANDs and dilations of boolean flags
    packed eight series to a byte. The only Python-level loop is over those blocks, never over
    individual series.

    Raises ``ValueError`` for non-finite values within a series, NaN before the end of a row
    (without ``lengths``), zero or out-of-range lengths, an unknown improvement or rule profile,
    mismatched sequence sizes or infinite targets.
    """
    x = np.asarray(matrix)
    if x.ndim != 2:
        raise ValueError(f"matrix must be 2-D (n_series x max_len), got shape {x.shape}")
    if x.dtype.kind in "bUSVMmc":
        raise ValueError(f"matrix must contain real numbers, got dtype {x.dtype}")
    if x.dtype.kind not in "iuf":
        try:
            x = x.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError("matrix must contain real numbers") from None
    count, t_len = x.shape
    outside_counts = _rules_check(rules)
    imp = _batch_improvement(improvement, count)
    tgt = _batch_targets(targets, count)
    if lengths is not None:
        lens = np.asarray(lengths)
        if lens.shape != (count,) or (lens.size and lens.dtype.kind not in "iu"):
            raise ValueError(f"lengths must be {count} integers")
        lens = lens.astype(np.int64)
        if count and (lens.min() < 1 or lens.max() > t_len):
            raise ValueError(f"lengths must be between 1 and {t_len} (the matrix width)")
    elif count and t_len == 0:
        raise ValueError("every series must contain at least one point")

    out_lengths = np.empty(count, dtype=np.int64)
    stats = np.empty((5, count))
    pt_last = np.empty(count, dtype=np.int8)
    up_last = np.empty(count, dtype=bool)
    # Per-point codes are produced time-major; the result exposes their (n_series x max_len)
    # transposed views, so no transposition is needed on the way out.
    point_type = np.empty((t_len, count), dtype=np.int8)
    direction = np.empty((t_len, count), dtype=np.int8)
    steps = np.arange(t_len)[:, None]
    full = np.full(min(_CHUNK, count), t_len, dtype=np.int64)
    buffer = np.empty((t_len, min(_CHUNK, count)))
    scratch = np.empty((3, t_len, min(_CHUNK, count)))

    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        for start in range(0, count, _CHUNK):
            stop = min(start + _CHUNK, count)
            width = stop - start
            if width != buffer.shape[1]:  # the last, narrower block
                buffer = np.empty((t_len, width))
                scratch = np.empty((3, t_len, width))
            xt = buffer
            np.copyto(xt, x[start:stop].T, casting="unsafe")
            total = None
            if lengths is None:
                total = _sum_over_time(xt)
                if np.isfinite(total).all():  # no NaN anywhere: every series is full length
                    block_lengths = full[:width]
                else:
                    block_lengths, total = _infer_lengths(xt, start), None
            else:
                block_lengths = lens[start:stop]
            valid = None
            if (block_lengths < t_len).any():
                valid = steps < block_lengths[None, :]
                if lengths is not None:
                    xt[~valid] = np.nan
            res = _block(
                xt,
                block_lengths,
                valid,
                total,
                imp[start:stop],
                screen_outliers,
                start,
                scratch,
                outside_counts,
            )
            out_lengths[start:stop] = block_lengths
            stats[:, start:stop] = res[:5]
            pt_last[start:stop] = res[5]
            up_last[start:stop] = res[6]
            point_type[:, start:stop] = res[7]
            direction[:, start:stop] = res[8]

    variation = _variation_codes(pt_last, up_last)
    assurance = _assurance_codes(tgt, imp, stats[1], stats[2])
    for array in (stats, point_type, direction):
        array.flags.writeable = False
    arrays = dict(
        lengths=out_lengths,
        improvement=imp,
        targets=tgt,
        mean=stats[0],
        lower=stats[1],
        upper=stats[2],
        lower_two_sigma=stats[3],
        upper_two_sigma=stats[4],
        point_type=point_type.T,
        direction=direction.T,
        variation=variation,
        assurance=assurance,
        provisional=out_lengths < MIN_POINTS,
    )
    for array in arrays.values():
        array.flags.writeable = False
    return SPCBatchResult(**arrays)
