"""Special-cause rules against given per-point limits (pure NumPy), for the charts of
:mod:`metrics.spc_limits` and for limits fixed from a baseline.

``classify(values, limits, *, improvement="increase", target=None, segments=None,
rules="nhsrplotthedots")`` applies the four rules of :func:`metrics.spc.analyse` to limits
that may differ from point to point (a p chart's limits follow each point's denominator):

1. a point strictly beyond ``ll99``/``ul99``;
2. 7 points in a row each strictly above (below) the one before, all 7 flagged, the direction
   the trend's;
3. a window of 3 consecutive points all strictly on one side of ``centre``, at least 2 of them
   strictly beyond the 2-sigma line on that side (``rules="nhsrplotthedots"``: and not beyond
   the 3-sigma limit; ``"mdc"``: beyond it too), only those flagged;
4. 7 points in a row strictly on one side of ``centre``.

The first rule that applies to a point decides its direction; no rule crosses a change of
``segments``; NaN limits flag nothing. ``variation`` follows the last point and ``assurance``
compares the target with the last point's 3-sigma limits, with the vocabularies and precedence
of :mod:`metrics.spc` (its module docstring gives the sources).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .spc import IMPROVEMENTS, RULES, RUN_LENGTH, TREND_LENGTH

__all__ = ["Classified", "classify"]


@dataclass(frozen=True)
class Classified:
    """Per point ``point_type`` and ``direction`` (+1, -1, 0); ``variation`` and
    ``assurance`` (None without a target or for a neutral measure)."""

    point_type: tuple[str, ...]
    direction: tuple[int, ...]
    variation: str
    assurance: str | None


def _runs(flags: np.ndarray, length: int) -> np.ndarray:
    """Points in a run of at least ``length`` consecutive True flags."""
    out = np.zeros(flags.size, dtype=bool)
    count = 0
    for i, flag in enumerate(flags.tolist()):
        count = count + 1 if flag else 0
        if count >= length:
            out[i - length + 1 : i + 1] = True
    return out


def _segment(x, c, l95, u95, l99, u99, outside_counts: bool) -> np.ndarray:
    """The direction of each point of one segment (0: common cause)."""
    n = x.size
    direction = np.zeros(n, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        above, below = x > u99, x < l99
        high, low = x > c, x < c
        close_high = (x > u95) & (outside_counts | ~above)
        close_low = (x < l95) & (outside_counts | ~below)
    # (4) runs, lowest precedence: written first and overwritten by the others.
    direction[_runs(high, RUN_LENGTH)] = 1
    direction[_runs(low, RUN_LENGTH)] = -1
    # (3) two of three on one side, at least two of them close to the limit.
    two = np.zeros(n, dtype=np.int8)
    for i in range(n - 2):
        window = slice(i, i + 3)
        if high[window].all() and close_high[window].sum() >= 2:
            two[window][close_high[window]] = 1
        if low[window].all() and close_low[window].sum() >= 2:
            two[window][close_low[window]] = -1
    direction[two != 0] = two[two != 0]
    # (2) trends of TREND_LENGTH points (TREND_LENGTH - 1 steps).
    step = np.sign(np.diff(x)) if n > 1 else np.zeros(0)
    rising = np.zeros(n, dtype=bool)
    falling = np.zeros(n, dtype=bool)
    for flags, steps in ((rising, step > 0), (falling, step < 0)):
        runs = _runs(steps, TREND_LENGTH - 1)
        flags[:-1] |= runs
        flags[1:] |= runs
    direction[rising] = 1
    direction[falling] = -1
    # (1) beyond a limit, highest precedence.
    direction[above] = 1
    direction[below] = -1
    return direction


def classify(
    values: Sequence[float] | np.ndarray,
    limits: Mapping[str, Sequence[float] | np.ndarray],
    *,
    improvement: str = "increase",
    target: float | None = None,
    segments: Sequence[object] | None = None,
    rules: str = "nhsrplotthedots",
) -> Classified:
    """Point types, variation and assurance of ``values`` against ``limits`` (a mapping with
    ``centre``, ``ll95``, ``ul95``, ``ll99``, ``ul99``, one value per point, as
    ``control_limits`` returns). Raises ValueError for mismatched lengths, no points, an
    unknown improvement or rule profile."""
    if improvement not in IMPROVEMENTS:
        raise ValueError(f"improvement must be one of {IMPROVEMENTS!r}, got {improvement!r}")
    if rules not in RULES:
        raise ValueError(f"rules must be one of {RULES!r}, got {rules!r}")
    x = np.asarray(values, dtype=np.float64)
    n = x.size
    if n == 0:
        raise ValueError("values must contain at least one point")
    arrays = {k: np.asarray(limits[k], dtype=np.float64) for k in ("centre", "ll95", "ul95")}
    arrays.update({k: np.asarray(limits[k], dtype=np.float64) for k in ("ll99", "ul99")})
    if any(a.shape != (n,) for a in arrays.values()):
        raise ValueError("every limit needs one value per point")
    labels = list(segments) if segments is not None else [0] * n
    if len(labels) != n:
        raise ValueError("segments needs one label per point")
    starts = [0, *(i for i in range(1, n) if labels[i] != labels[i - 1]), n]
    direction = np.zeros(n, dtype=np.int8)
    for a, b in zip(starts[:-1], starts[1:], strict=True):
        direction[a:b] = _segment(
            x[a:b],
            arrays["centre"][a:b],
            arrays["ll95"][a:b],
            arrays["ul95"][a:b],
            arrays["ll99"][a:b],
            arrays["ul99"][a:b],
            rules == "mdc",
        )
    good = {"increase": 1, "decrease": -1}.get(improvement, 0)
    types = []
    for d in direction.tolist():
        if d == 0:
            types.append("common_cause")
        elif good == 0:
            types.append("special_cause_neutral")
        else:
            types.append("special_cause_improvement" if d == good else "special_cause_concern")
    last, side = types[-1], int(direction[-1])
    if last == "common_cause":
        variation = "common_cause"
    else:
        kind = {"special_cause_improvement": "improvement", "special_cause_concern": "concern"}
        variation = f"{kind.get(last, 'neutral')}_{'high' if side > 0 else 'low'}"
    assurance = None
    if target is not None and good != 0:
        lower, upper = float(arrays["ll99"][-1]), float(arrays["ul99"][-1])
        if math.isfinite(upper) and target > upper:
            assurance = "consistent_fail" if good > 0 else "consistent_pass"
        elif math.isfinite(lower) and target < lower:
            assurance = "consistent_pass" if good > 0 else "consistent_fail"
        else:
            assurance = "hit_and_miss"
    return Classified(tuple(types), tuple(direction.tolist()), variation, assurance)
