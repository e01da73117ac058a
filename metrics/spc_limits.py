"""Control limits for the common SPC charts, for one series or many at once (pure NumPy).

Public API (re-exported by :mod:`metrics.spc`)
-----------------------------------------------
``control_limits(chart, numerators, denominators=None, *, sds=None, segments=None,
multiplier=1, screen_outliers=False)``
    One series; returns a dict of 1-D float64 arrays, one value per point.
``control_limits_many(chart, numerators, denominators=None, *, sds=None, lengths=None,
multiplier=1, screen_outliers=False)``
    Many series (``n_series x max_len``, rows left-aligned), vectorised across series; the same
    dict of 2-D arrays, NaN past each series' length. No segments: rebase by calling
    :func:`control_limits`.
``c4(n)``, ``a3(n)``, ``b3(n)``, ``b4(n)``
    The bias-correction constant of the sample standard deviation and the 3-sigma factors of
    the x-bar and s charts, computed exactly from the gamma function (not tabled).

Every result has the keys ``values`` (the plotted values), ``centre``, ``ll99``, ``ll95``,
``ul95`` and ``ul99``. The names follow the NHS-R Power BI SPC visual: ``*95`` are the 2-sigma
and ``*99`` the 3-sigma ("99.8%") limits. Inputs follow the visual's conventions as well:
``numerators`` are the counts (p, u and their Laney forms, c), the values (i, mr, run, g, t;
divided by ``denominators`` when given for i, mr and run), the subgroup means (xbar, with the
subgroup sizes as ``denominators`` and the subgroup standard deviations as ``sds``) or the
subgroup standard deviations (s, with the subgroup sizes as ``denominators``).

Methods, per segment (``m`` points, ``k`` = 2 or 3 for the 95 / 99 limits)
--------------------------------------------------------------------------
Montgomery, D. C., *Introduction to Statistical Quality Control* (Wiley; chapter 6 for
variables charts, chapter 7 for attributes charts):

* ``i`` (individuals): centre = mean x; sigma = mR-bar / d2, mR-bar the mean moving range
  ``|x[j] - x[j-1]|`` and d2 = 2 / sqrt(pi) = 1.12838 (the expected range of two standard
  normal values), limits centre +/- k sigma.
* ``mr`` (moving range): values are the moving ranges (NaN at a segment's first point);
  centre = mR-bar; sigma of a range of two = d3 / d2 * mR-bar, d3 = sqrt(2 - 4 / pi) = 0.85250;
  limits centre +/- k sigma truncated at 0, so ul99 = D4 mR-bar with D4 = 1 + 3 d3 / d2 =
  3.26653 (tabled 3.267) and ll99 = D3 mR-bar = 0.
* ``p``: p-bar = sum(d) / sum(n); limits p-bar +/- k sqrt(p-bar (1 - p-bar) / n_j), one pair
  per point for varying n_j, truncated to [0, 1].
* ``u``: u-bar = sum(c) / sum(n); limits u-bar +/- k sqrt(u-bar / n_j), truncated at 0.
* ``c``: c-bar = mean c; limits c-bar +/- k sqrt(c-bar), truncated at 0.
* ``xbar`` and ``s`` (variable subgroup sizes, Montgomery section 6.3): x-double-bar =
  sum(n_j xbar_j) / sum(n_j); s-bar = sqrt(sum((n_j - 1) s_j^2) / sum(n_j - 1)) (pooled);
  xbar limits x-double-bar +/- k / (c4(n_j) sqrt(n_j)) s-bar (k = 3 gives A3); s chart centre
  s-bar, limits s-bar (1 +/- k sqrt(1 - c4(n_j)^2) / c4(n_j)) truncated at 0 (k = 3 gives B4
  and B3). c4(n) = sqrt(2 / (n - 1)) Gamma(n / 2) / Gamma((n - 1) / 2). With equal subgroup
  sizes Montgomery's example 6.3 uses s-bar = mean(s_j) instead; the two agree when the s_j
  are equal and the pooled form is the one that also serves unequal sizes (and the one the
  Power BI visual uses).

Laney, D. B. (2002) "Improved control charts for attributes", *Quality Engineering* 14(4),
531-537:

* ``pp`` (p-prime) and ``up`` (u-prime): z_j = (p_j - p-bar) / sigma_j with sigma_j the p (u)
  chart's sigma for point j; sigma_z = (mean moving range of z) / d2; limits
  p-bar +/- k sigma_j sigma_z (truncated as for p and u). When p-bar is 0 or 1 (u-bar 0) every
  sigma_j is 0 and the limits equal the centre.

Provost, L. P. and Murray, S. K. (2011) *The Health Care Data Guide* (Jossey-Bass), the charts
for rare events and the run chart:

* ``g`` (opportunities or days between events): the geometric g chart; centre = the mean
  g-bar, limits g-bar +/- k sqrt(g-bar (g-bar + 1)) truncated at 0 (the standard deviation of a
  geometric count with that mean). The centre is the mean the limits are built on; some
  software (the R package qicharts2, citing the Guide) draws instead the geometric
  distribution's theoretical median, about 0.693 g-bar, for its run tests; this module keeps
  the mean.
* ``t`` (time between events): y = x^(1 / 3.6) makes the (exponential/Weibull) times roughly
  normal; an i chart of y (with the moving-range screen when asked), then centre and limits
  back-transformed with power 3.6; a lower limit below 0 on the y scale is truncated at 0
  first. Values are plotted on the original scale.
* ``run`` (run chart): centre = median; no limits (NaN).

Options
-------
* ``screen_outliers`` (i, pp, up, t: the charts built on a mean moving range; ignored by the
  others): moving ranges are kept only when ``mr < 3.267 * mR-bar`` and mR-bar is recomputed
  once from the kept ones, as ``metrics.spc.analyse`` does (NHSRplotthedots, and the Power BI
  visual's "outliers in limits" switch turned off). When every moving range is dropped (a
  constant segment) mR-bar and the limits are NaN, again as in ``analyse``.
* ``segments``: a label per point; each change of label starts a segment with its own centre
  and limits (no moving range crosses a change).
* ``multiplier``: a positive number scaling values, centre and limits (100 for percentages);
  p limits are truncated at 1 before scaling, so at ``multiplier``.
* A segment of one point has no moving range: i, mr, pp, up and t give NaN limits for it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

__all__ = [
    "CHARTS",
    "D2",
    "D3",
    "D4",
    "LIMIT_KEYS",
    "MR_SCREEN",
    "T_POWER",
    "a3",
    "b3",
    "b4",
    "c4",
    "control_limits",
    "control_limits_many",
]

CHARTS = ("i", "mr", "run", "p", "pp", "u", "up", "c", "g", "t", "xbar", "s")
LIMIT_KEYS = ("centre", "ll99", "ll95", "ul95", "ul99")

D2 = 2 / math.sqrt(math.pi)  #: d2 for ranges of two: E|X1 - X2| / sigma = 1.1283791670955126
D3 = math.sqrt(2 - 4 / math.pi)  #: d3 for ranges of two: sd(|X1 - X2|) / sigma = 0.8525024...
D4 = 1 + 3 * D3 / D2  #: mR chart upper limit factor, 3.2665...
MR_SCREEN = 3.267  #: the tabled D4, as metrics.spc.OUTLIER_SCREEN: moving ranges >= this * mR-bar
T_POWER = 3.6  #: t chart transform y = x ** (1 / T_POWER)

_NEEDS_DENOMINATORS = frozenset({"p", "pp", "u", "up", "xbar", "s"})
_OPTIONAL_DENOMINATORS = frozenset({"i", "mr", "run"})
_NON_NEGATIVE = frozenset({"p", "pp", "u", "up", "c", "g", "t", "s"})
_SUBGROUPS = frozenset({"xbar", "s"})
_CHUNK = 2048  # series per block: each block's arrays stay in the CPU caches


# --------------------------------------------------------------------------------------------
# Constants of the x-bar and s charts
# --------------------------------------------------------------------------------------------


def _c4_table(n: np.ndarray) -> np.ndarray:
    """c4 for every integer n >= 2 in ``n``, looking up each distinct size once."""
    flat = n.reshape(-1).astype(np.int64)
    if flat.size == 0:
        return np.empty(n.shape)
    top = int(flat.max())
    sizes = np.flatnonzero(np.bincount(flat)) if top <= 10_000_000 else np.unique(flat)
    table = np.full(top + 1 if top <= 10_000_000 else 0, np.nan)
    values = np.array(
        [
            math.sqrt(2 / (s - 1)) * math.exp(math.lgamma(s / 2) - math.lgamma((s - 1) / 2))
            for s in sizes.tolist()
        ]
    )
    if table.size:
        table[sizes] = values
        return table[flat].reshape(n.shape)
    return values[np.searchsorted(sizes, flat)].reshape(n.shape)


def _sizes(n: object) -> np.ndarray:
    arr = np.asarray(n, dtype=np.float64)
    if not (np.isfinite(arr).all() and (arr == np.floor(arr)).all() and (arr >= 2).all()):
        raise ValueError("subgroup sizes must be integers >= 2")
    return arr


def c4(n: object) -> np.ndarray | float:
    """c4(n) = E[s] / sigma for samples of n normal values: sqrt(2/(n-1)) G(n/2) / G((n-1)/2)."""
    arr = _sizes(n)
    out = _c4_table(arr)
    return float(out) if out.ndim == 0 else out


def a3(n: object) -> np.ndarray | float:
    """A3(n) = 3 / (c4(n) sqrt(n)): x-bar limits x-double-bar +/- A3 s-bar (Montgomery)."""
    arr = _sizes(n)
    out = 3 / (_c4_table(arr) * np.sqrt(arr))
    return float(out) if out.ndim == 0 else out


def b3(n: object) -> np.ndarray | float:
    """B3(n) = max(0, 1 - 3 sqrt(1 - c4^2) / c4): s chart lower limit B3 s-bar (Montgomery)."""
    arr = _sizes(n)
    c = _c4_table(arr)
    out = np.maximum(0.0, 1 - 3 * np.sqrt(1 - c * c) / c)
    return float(out) if out.ndim == 0 else out


def b4(n: object) -> np.ndarray | float:
    """B4(n) = 1 + 3 sqrt(1 - c4^2) / c4: s chart upper limit B4 s-bar (Montgomery)."""
    arr = _sizes(n)
    c = _c4_table(arr)
    out = 1 + 3 * np.sqrt(1 - c * c) / c
    return float(out) if out.ndim == 0 else out


# --------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------


def _array(value: object, name: str, ndim: int) -> np.ndarray:
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be a sequence of numbers, not a string")
    raw = np.asarray(value) if isinstance(value, np.ndarray) else None
    if raw is None:
        try:
            raw = np.asarray(value, dtype=object if ndim == 1 else None)
        except ValueError:
            raise ValueError(f"{name} must be a {ndim}-D sequence of numbers") from None
    if raw.dtype.kind in "bUSVMmc" or (
        raw.dtype.kind == "O" and any(isinstance(v, (bool, np.bool_)) for v in raw.flat)
    ):
        raise ValueError(f"{name} must contain real numbers, got {raw.dtype} values")
    if raw.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {raw.shape}")
    try:
        return raw.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must contain real numbers") from None


def _where(mask: np.ndarray) -> str:
    index = tuple(int(i) for i in np.argwhere(mask)[0])
    return ", ".join(map(str, index))


def _first(arr: np.ndarray, mask: np.ndarray) -> float:
    return float(arr[mask][0])


def _check(
    chart: str,
    num: np.ndarray,
    den: np.ndarray | None,
    sds: np.ndarray | None,
    valid: np.ndarray | None,
) -> None:
    """Raise ValueError for the first bad cell inside the series (padding is not checked)."""

    def bad(mask: np.ndarray) -> np.ndarray:
        return mask if valid is None else mask & valid

    arrays = [("numerators", num), ("denominators", den), ("sds", sds)]
    for name, arr in arrays:
        if arr is None:
            continue
        mask = bad(~np.isfinite(arr))
        if mask.any():
            raise ValueError(f"{name}[{_where(mask)}] must be finite, got {_first(arr, mask)!r}")
    if den is not None:
        mask = bad(den <= 0)
        if mask.any():
            raise ValueError(f"denominators[{_where(mask)}] must be > 0, got {_first(den, mask)!r}")
    if chart in _NON_NEGATIVE:
        mask = bad(num < 0)
        if mask.any():
            what = "standard deviations" if chart == "s" else "counts or times"
            raise ValueError(
                f"numerators[{_where(mask)}] must be >= 0 for a {chart} chart ({what}), "
                f"got {_first(num, mask)!r}"
            )
    if chart in ("p", "pp"):
        mask = bad(num > den)  # type: ignore[operator]
        if mask.any():
            raise ValueError(
                f"numerators[{_where(mask)}] exceeds its denominator: a proportion's "
                f"numerator must be <= its denominator for a {chart} chart"
            )
    if chart in _SUBGROUPS:
        mask = bad((den != np.floor(den)) | (den < 2))  # type: ignore[operator]
        if mask.any():
            raise ValueError(
                f"denominators[{_where(mask)}] must be an integer subgroup size >= 2 for a "
                f"{chart} chart, got {_first(den, mask)!r}"  # type: ignore[arg-type]
            )
    if sds is not None:
        mask = bad(sds < 0)
        if mask.any():
            raise ValueError(f"sds[{_where(mask)}] must be >= 0, got {_first(sds, mask)!r}")


def _check_options(chart: object, denominators: object, sds: object, multiplier: object) -> str:
    if not isinstance(chart, str) or chart not in CHARTS:
        raise ValueError(f"chart must be one of {CHARTS!r}, got {chart!r}")
    if denominators is None and chart in _NEEDS_DENOMINATORS:
        raise ValueError(f"a {chart} chart needs denominators")
    if denominators is not None and chart not in _NEEDS_DENOMINATORS | _OPTIONAL_DENOMINATORS:
        hint = " (counts per unit: use a u chart)" if chart == "c" else ""
        raise ValueError(f"a {chart} chart takes no denominators{hint}")
    if chart == "xbar" and sds is None:
        raise ValueError("an xbar chart needs sds (the subgroup standard deviations)")
    if chart != "xbar" and sds is not None:
        raise ValueError(f"sds is only used by the xbar chart, not by a {chart} chart")
    if (
        isinstance(multiplier, (bool, np.bool_))
        or not isinstance(multiplier, numbers.Real)
        or not (math.isfinite(multiplier) and multiplier > 0)
    ):
        raise ValueError(f"multiplier must be a positive finite number, got {multiplier!r}")
    return chart


# --------------------------------------------------------------------------------------------
# The calculation, on a block of (series x time) arrays with zeros in the padding
# --------------------------------------------------------------------------------------------


def _moving_ranges(
    y: np.ndarray, valid: np.ndarray | None, lengths: np.ndarray, screen: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The moving ranges (0 in the padding and before the first point) and mR-bar per row."""
    mr = np.zeros_like(y)
    np.abs(np.subtract(y[:, 1:], y[:, :-1]), out=mr[:, 1:])
    if valid is not None:
        mr[:, 1:] *= valid[:, 1:]
    mr_bar = mr.sum(axis=1) / (lengths - 1)
    if screen:
        keep = mr < (MR_SCREEN * mr_bar)[:, None]
        keep[:, 0] = False
        if valid is not None:
            keep &= valid
        mr_bar = np.where(keep, mr, 0.0).sum(axis=1) / np.count_nonzero(keep, axis=1)
    return mr, mr_bar


def _block(
    chart: str,
    num: np.ndarray,
    den: np.ndarray | None,
    sds: np.ndarray | None,
    valid: np.ndarray | None,
    lengths: np.ndarray,
    screen: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float | None, float | None]:
    """(values, centre, sigma, floor, ceiling) for a block; centre and sigma broadcast."""
    col = lengths[:, None]
    if den is not None and valid is not None:  # the padding's denominators are 1: weigh them 0
        den_total = np.where(valid, den, 0.0).sum(axis=1, keepdims=True)
    elif den is not None:
        den_total = den.sum(axis=1, keepdims=True)
    if chart in ("i", "mr", "run", "t"):
        y = num if den is None else num / den
        if chart == "t":
            y = y ** (1 / T_POWER)
        if chart == "run":
            if valid is None:
                centre = np.median(y, axis=1)
            else:
                centre = np.nanmedian(np.where(valid, y, np.nan), axis=1)
            return y, centre[:, None], np.full((len(y), 1), np.nan), None, None
        mr, mr_bar = _moving_ranges(y, valid, lengths, screen and chart != "mr")
        if chart == "mr":
            values = mr.copy()
            values[:, 0] = np.nan
            return values, mr_bar[:, None], (D3 / D2 * mr_bar)[:, None], 0.0, None
        centre = (y.sum(axis=1) / lengths)[:, None]
        return (num if chart == "t" else y), centre, (mr_bar / D2)[:, None], None, None
    if chart in ("p", "pp", "u", "up"):
        bar = num.sum(axis=1, keepdims=True) / den_total
        rate = num / den  # type: ignore[operator]
        spread = bar * (1 - bar) if chart in ("p", "pp") else bar
        sigma = np.sqrt(spread / den)  # type: ignore[operator]
        ceiling = 1.0 if chart in ("p", "pp") else None
        if chart in ("pp", "up"):
            z = np.divide(rate - bar, sigma, out=np.zeros_like(rate), where=sigma > 0)
            _, mr_bar = _moving_ranges(z, valid, lengths, screen)
            sigma = sigma * (mr_bar / D2)[:, None]
        return rate, bar, sigma, 0.0, ceiling
    if chart == "c":
        centre = num.sum(axis=1, keepdims=True) / col
        return num, centre, np.sqrt(centre), 0.0, None
    if chart == "g":
        centre = num.sum(axis=1, keepdims=True) / col
        return num, centre, np.sqrt(centre * (centre + 1)), 0.0, None
    # xbar and s: den holds the subgroup sizes (1 in the padding, where the weights are 0)
    weight = den - 1  # type: ignore[operator]
    if valid is not None:
        weight = weight * valid
    sd = num if chart == "s" else sds
    s_bar = np.sqrt((weight * sd * sd).sum(axis=1, keepdims=True) / weight.sum(axis=1)[:, None])
    c = _c4_table(np.where(valid, den, 2.0) if valid is not None else den)  # type: ignore[arg-type]
    if chart == "s":
        return num, s_bar, s_bar * np.sqrt(1 - c * c) / c, 0.0, None
    centre = (den * num).sum(axis=1, keepdims=True) / den_total  # type: ignore[operator]
    return num, centre, s_bar / (c * np.sqrt(den)), None, None  # type: ignore[arg-type]


def _fill(
    out: dict[str, np.ndarray],
    rows: slice,
    chart: str,
    parts: tuple[np.ndarray, np.ndarray, np.ndarray, float | None, float | None],
    valid: np.ndarray | None,
    multiplier: float,
) -> None:
    values, centre, sigma, floor, ceiling = parts
    shape = values.shape
    for key, k in (("ll99", -3), ("ll95", -2), ("ul95", 2), ("ul99", 3)):
        limit = centre + k * sigma
        if chart == "t":  # back-transform from the y = x ** (1 / 3.6) scale
            limit = np.maximum(limit, 0.0) ** T_POWER
        elif floor is not None:
            limit = np.maximum(limit, floor)
        if ceiling is not None:
            limit = np.minimum(limit, ceiling)
        out[key][rows] = np.broadcast_to(limit, shape)
    out["centre"][rows] = np.broadcast_to(centre**T_POWER if chart == "t" else centre, shape)
    out["values"][rows] = values
    if multiplier != 1:
        for key in out:
            out[key][rows] *= multiplier
    if valid is not None:
        for key in out:
            np.copyto(out[key][rows], np.nan, where=~valid)


def _compute(
    chart: str,
    num: np.ndarray,
    den: np.ndarray | None,
    sds: np.ndarray | None,
    lengths: np.ndarray,
    multiplier: float,
    screen: bool,
    check: bool = True,
) -> dict[str, np.ndarray]:
    """Limits for (series x time) arrays whose cells past ``lengths`` are ignored; ``check``
    validates the cells inside the series first."""
    count, width = num.shape
    out = {key: np.empty((count, width)) for key in ("values", *LIMIT_KEYS)}
    steps = np.arange(width)
    with np.errstate(invalid="ignore", divide="ignore"):
        for start in range(0, count, _CHUNK):
            rows = slice(start, min(start + _CHUNK, count))
            block_lengths = lengths[rows]
            valid = None
            b_num, b_den, b_sds = num[rows], None if den is None else den[rows], None
            if sds is not None:
                b_sds = sds[rows]
            if (block_lengths < width).any():
                valid = steps[None, :] < block_lengths[:, None]
                # zeros (ones for denominators) past each length keep the sums exact
                b_num = np.where(valid, b_num, 0.0)
                b_den = None if b_den is None else np.where(valid, b_den, 1.0)
                b_sds = None if b_sds is None else np.where(valid, b_sds, 0.0)
            if check:
                _check(chart, b_num, b_den, b_sds, valid)
            parts = _block(chart, b_num, b_den, b_sds, valid, block_lengths, screen)
            _fill(out, rows, chart, parts, valid, multiplier)
    return out


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def control_limits(
    chart: str,
    numerators: Sequence[float] | np.ndarray,
    denominators: Sequence[float] | np.ndarray | None = None,
    *,
    sds: Sequence[float] | np.ndarray | None = None,
    segments: Sequence[object] | np.ndarray | None = None,
    multiplier: float = 1,
    screen_outliers: bool = False,
) -> dict[str, np.ndarray]:
    """Centre and 2- and 3-sigma limits of one series, one value per point.

    ``chart``: one of ``CHARTS``. ``numerators`` (and ``denominators`` / ``sds`` where the chart
    uses them) as described in the module docstring, all of the same length (at least one
    point). ``segments``: None, or one label per point; each change of label starts a new
    segment with its own centre and limits. ``multiplier``: scales values and limits.
    ``screen_outliers``: the moving-range screen of the i, pp, up and t charts.

    Returns ``{"values", "centre", "ll99", "ll95", "ul95", "ul99"}``, float64 arrays of the
    series' length (NaN where there is nothing to plot: the first moving range of each segment,
    a run chart's limits, limits from fewer than two points on a moving-range chart).

    Raises ``ValueError`` for an unknown chart, missing or unexpected denominators or sds,
    arrays of different lengths, an empty series, non-finite values, a denominator <= 0,
    negative counts, times or standard deviations, a proportion above 1, subgroup sizes that
    are not integers >= 2, or a multiplier that is not a positive number.
    """
    chart = _check_options(chart, denominators, sds, multiplier)
    num = _array(numerators, "numerators", 1)
    n = num.shape[0]
    if n == 0:
        raise ValueError("numerators must contain at least one point")
    den = None if denominators is None else _array(denominators, "denominators", 1)
    sd = None if sds is None else _array(sds, "sds", 1)
    for name, arr in (("denominators", den), ("sds", sd)):
        if arr is not None and arr.shape[0] != n:
            raise ValueError(
                f"numerators and {name} have different lengths ({n} and {arr.shape[0]})"
            )
    _check(chart, num, den, sd, None)  # before segmenting: errors name the point's index
    if segments is None:
        starts = np.array([0])
    else:
        if isinstance(segments, (str, bytes)):
            raise ValueError("segments must be a sequence of labels, one per point")
        labels = list(segments)
        if len(labels) != n:
            raise ValueError(
                f"numerators and segments have different lengths ({n} and {len(labels)})"
            )
        changes = [i for i in range(1, n) if labels[i] != labels[i - 1]]
        starts = np.array([0, *changes])
    if starts.shape[0] == 1:
        out = _compute(
            chart,
            num[None, :],
            None if den is None else den[None, :],
            None if sd is None else sd[None, :],
            np.array([n]),
            float(multiplier),
            screen_outliers,
            check=False,
        )
        return {key: value[0] for key, value in out.items()}
    # one row per segment: the same vectorised calculation as for many series
    lengths = np.diff(np.append(starts, n))
    rows = np.repeat(np.arange(lengths.shape[0]), lengths)
    cols = np.arange(n) - np.repeat(starts, lengths)
    shape = (lengths.shape[0], int(lengths.max()))

    def spread(arr: np.ndarray | None) -> np.ndarray | None:
        if arr is None:
            return None
        grid = np.ones(shape)
        grid[rows, cols] = arr
        return grid

    out = _compute(
        chart,
        spread(num),
        spread(den),
        spread(sd),
        lengths,
        float(multiplier),
        screen_outliers,
        check=False,
    )
    return {key: value[rows, cols] for key, value in out.items()}


def _batch_lengths(num: np.ndarray, lengths: object) -> np.ndarray:
    count, width = num.shape
    if lengths is not None:
        lens = np.asarray(lengths)
        if lens.shape != (count,) or (lens.size and lens.dtype.kind not in "iu"):
            raise ValueError(f"lengths must be {count} integers")
        lens = lens.astype(np.int64)
        if count and (lens.min() < 1 or lens.max() > width):
            raise ValueError(f"lengths must be between 1 and {width} (the width of numerators)")
        return lens
    missing = np.isnan(num)
    lens = np.where(missing.any(axis=1), missing.argmax(axis=1), width).astype(np.int64)
    if (lens == 0).any():
        i = int(np.flatnonzero(lens == 0)[0])
        raise ValueError(f"series {i} is empty (its row starts with NaN)")
    wrong = width - np.count_nonzero(missing, axis=1) != lens
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        raise ValueError(
            f"series {i} has NaN before its last value; NaN is only allowed as trailing "
            "padding (or pass lengths=)"
        )
    return lens


def control_limits_many(
    chart: str,
    numerators: np.ndarray | Sequence[Sequence[float]],
    denominators: np.ndarray | Sequence[Sequence[float]] | None = None,
    *,
    sds: np.ndarray | Sequence[Sequence[float]] | None = None,
    lengths: Sequence[int] | np.ndarray | None = None,
    multiplier: float = 1,
    screen_outliers: bool = False,
) -> dict[str, np.ndarray]:
    """:func:`control_limits` for many series at once; row ``i`` equals it on series ``i``.

    ``numerators`` (and ``denominators`` / ``sds``): ``n_series x max_len`` arrays, each row a
    series in time order, left-aligned. ``lengths``: per-series lengths (1 .. max_len); without
    it a row ends at its first NaN in ``numerators`` (NaN only as trailing padding). Returns
    the same keys as :func:`control_limits`, each an ``n_series x max_len`` float64 array with
    NaN past each series' length. Computed with whole-block NumPy operations on blocks of
    ``_CHUNK`` series; no Python loop over series. Raises ``ValueError`` as
    :func:`control_limits` does (naming the ``[series, point]`` of a bad cell), and for bad
    lengths or shapes.
    """
    chart = _check_options(chart, denominators, sds, multiplier)
    num = _array(numerators, "numerators", 2)
    den = None if denominators is None else _array(denominators, "denominators", 2)
    sd = None if sds is None else _array(sds, "sds", 2)
    for name, arr in (("denominators", den), ("sds", sd)):
        if arr is not None and arr.shape != num.shape:
            raise ValueError(
                f"numerators and {name} have different shapes ({num.shape} and {arr.shape})"
            )
    if num.shape[1] == 0 and num.shape[0]:
        raise ValueError("every series must contain at least one point")
    lens = _batch_lengths(num, lengths)
    return _compute(chart, num, den, sd, lens, float(multiplier), screen_outliers)
