"""Funnel plots for comparing units' proportions or rates, with over-dispersion (pure NumPy).

Public API
----------
``funnel(numerators, denominators, *, kind="proportion", multiplier=1, overdispersion=True,
winsorise=0.1, target=None, transform=None)``
    One value per unit (a Place, a practice, a trust), its z-score, its 95% and 99.8% limits for
    its denominator and whether it lies beyond them; returns a :class:`FunnelResult`.
``funnel_curves(result, denominators=None, *, points=200)``
    The same limits as functions of the denominator, for drawing the funnel.

Method
------
Spiegelhalter, D. J. (2005) "Funnel plots for comparing institutional performance",
*Statistics in Medicine* 24, 1185-1202, and Spiegelhalter, D. J. (2005) "Handling
over-dispersion of performance indicators", *Quality and Safety in Health Care* 14, 347-351;
with the defaults of the R package FunnelPlotR (Mainey):

1. Each unit's value ``y_i`` and its standard error under the target, ``s_i``, on a
   variance-stabilising scale (``transform``):

   * ``kind="proportion"`` (numerator <= denominator; FunnelPlotR's ``"PR"``): the arcsine
     square root, ``y = asin(sqrt(O / n))``, ``s = 1 / (2 sqrt(n))``, target
     ``asin(sqrt(theta))``. Chosen, as in FunnelPlotR, because it works at proportions of 0
     and 1 and makes ``s`` independent of the target.
   * ``kind="rate"`` (counts per denominator; an indirectly standardised ratio when the
     denominators are expected counts, FunnelPlotR's default ``"SR"``): ``transform="log"``
     (the default, FunnelPlotR's default ``sr_method="SHMI"``): ``y = log(O / n)``,
     ``s = 1 / sqrt(theta n)``; or ``transform="sqrt"`` (FunnelPlotR's ``"CQC"``):
     ``y = sqrt(O / n)``, ``s = 1 / (2 sqrt(n))``. On the log scale a unit with no events has
     ``y = -inf``: its z-score is ``-inf`` and it is always below the lower limits (use
     ``"sqrt"`` when units with no events are expected).

   ``theta`` is ``target`` when given (e.g. 1 for standardised ratios), otherwise the pooled
   ``sum(O) / sum(n)``.
2. z-scores ``z_i = (y_i - g(theta)) / s_i``.
3. Over-dispersion (``overdispersion=True``): the z-scores are winsorised at the ``winsorise``
   and ``1 - winsorise`` quantiles (10% / 90% by default; quantiles by linear interpolation, R's
   default type 7), ``phi = mean(z_w^2)`` and, with ``w_i = 1 / s_i^2``, the additive
   random-effects variance ``tau^2 = max(0, (N phi - (N - 1)) / (sum(w) - sum(w^2) / sum(w)))``
   (DerSimonian-Laird form; 0 with fewer than two units).
4. Limits ``g(theta) +/- z_a sqrt(s^2 + tau^2)`` with ``z_a`` = 1.959964 (95%) and 3.090232
   (99.8%), the normal quantiles 0.975 and 0.999, back-transformed (arcsine: clipped to
   [0, pi/2] and squared sines; log: exponentials; square root: clipped at 0 and squared). The
   reported ``z`` is ``(y_i - g(theta)) / sqrt(s_i^2 + tau^2)``; a unit is flagged beyond a
   level when ``|z|`` exceeds its ``z_a``, which is the same as lying strictly outside the
   limits.

``multiplier`` scales the values, the target and the limits (100 for percentages, 100,000 for a
rate per 100,000); z-scores, ``phi`` and ``tau2`` are on the transformed scale and unscaled.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

__all__ = ["KINDS", "TRANSFORMS", "Z95", "Z99", "FunnelResult", "funnel", "funnel_curves"]

KINDS = ("proportion", "rate")
TRANSFORMS = {"proportion": ("asin",), "rate": ("log", "sqrt")}
Z95 = NormalDist().inv_cdf(0.975)  #: 1.959963984540054
Z99 = NormalDist().inv_cdf(0.999)  #: 3.090232306167813 (the 99.8% two-sided limits)


@dataclass(frozen=True, eq=False)
class FunnelResult:
    """Result of :func:`funnel` for ``N`` units (arrays of length N, in the input order).

    ``values`` (O / n times ``multiplier``), ``denominators``, ``z`` (over-dispersion
    adjusted when ``tau2 > 0``), ``z_unadjusted``, the limits for each unit's denominator
    ``ll99``, ``ll95``, ``ul95``, ``ul99``, and ``flag95`` / ``flag99`` (int8: +1 above the
    upper limit, -1 below the lower one, 0 within). Scalars: ``target`` (times ``multiplier``),
    ``theta`` (the target unscaled), ``phi`` (NaN without over-dispersion), ``tau2``, and the
    settings ``kind``, ``transform``, ``multiplier``.
    """

    values: np.ndarray
    denominators: np.ndarray
    z: np.ndarray
    z_unadjusted: np.ndarray
    ll99: np.ndarray
    ll95: np.ndarray
    ul95: np.ndarray
    ul99: np.ndarray
    flag95: np.ndarray
    flag99: np.ndarray
    target: float
    theta: float
    phi: float
    tau2: float
    kind: str
    transform: str
    multiplier: float


def _array(value: object, name: str) -> np.ndarray:
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be a sequence of numbers, not a string")
    try:
        arr = np.asarray(value)
        if arr.dtype.kind in "bUSVMmc":
            raise TypeError
        arr = arr.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of real numbers") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name}[{i}] must be finite, got {float(arr[i])!r}")
    return arr


def _positive(value: object, name: str) -> float:
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, numbers.Real)
        or not (math.isfinite(value) and value > 0)
    ):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def _scale(transform: str, theta: float, n: np.ndarray) -> tuple[float, np.ndarray]:
    """g(theta) and the standard error under the target for denominators ``n``."""
    if transform == "asin":
        return math.asin(math.sqrt(theta)), 1 / (2 * np.sqrt(n))
    if transform == "sqrt":
        return math.sqrt(theta), 1 / (2 * np.sqrt(n))
    return math.log(theta), 1 / np.sqrt(theta * n)


def _transform(transform: str, values: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        if transform == "asin":
            return np.arcsin(np.sqrt(values))
        if transform == "sqrt":
            return np.sqrt(values)
        return np.log(values)


def _back(transform: str, y: np.ndarray) -> np.ndarray:
    if transform == "asin":
        return np.sin(np.clip(y, 0.0, math.pi / 2)) ** 2
    if transform == "sqrt":
        return np.maximum(y, 0.0) ** 2
    return np.exp(y)


def _limits(
    transform: str, theta: float, tau2: float, n: np.ndarray, multiplier: float
) -> dict[str, np.ndarray]:
    centre, s = _scale(transform, theta, n)
    spread = np.sqrt(s * s + tau2)
    return {
        key: _back(transform, centre + z * spread) * multiplier
        for key, z in (("ll99", -Z99), ("ll95", -Z95), ("ul95", Z95), ("ul99", Z99))
    }


def _winsorised(z: np.ndarray, fraction: float) -> np.ndarray:
    if fraction == 0:
        return z
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return z
    low, high = np.quantile(finite, [fraction, 1 - fraction])  # linear: R's type 7
    return np.clip(z, low, high)


def funnel(
    numerators: Sequence[float] | np.ndarray,
    denominators: Sequence[float] | np.ndarray,
    *,
    kind: str = "proportion",
    multiplier: float = 1,
    overdispersion: bool = True,
    winsorise: float = 0.1,
    target: float | None = None,
    transform: str | None = None,
) -> FunnelResult:
    """Spiegelhalter's funnel plot of units' proportions or rates (see the module docstring).

    ``numerators``: events (>= 0; <= the denominator for proportions). ``denominators``: > 0
    (population, cases, or expected counts for standardised ratios). ``kind``: "proportion" or
    "rate". ``transform``: None for the kind's default ("asin" for proportions, "log" for
    rates), or "sqrt" for rates. ``target``: None for the pooled value, else a number (a
    proportion in (0, 1) for proportions, > 0 for rates). ``overdispersion``: estimate tau^2
    from the z-scores winsorised at ``winsorise`` (0 <= winsorise < 0.5) and widen the limits;
    without it tau^2 = 0 and phi is NaN.

    Raises ``ValueError`` for an unknown kind or transform, empty or mismatched inputs,
    non-finite values, a denominator <= 0, negative numerators, a proportion above 1, a bad
    target, multiplier or winsorise fraction, or a pooled rate of 0 on the log scale.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS!r}, got {kind!r}")
    transform = TRANSFORMS[kind][0] if transform is None else transform
    if transform not in TRANSFORMS[kind]:
        raise ValueError(f"transform for {kind} must be one of {TRANSFORMS[kind]!r}")
    scale = _positive(multiplier, "multiplier")
    if isinstance(winsorise, (bool, np.bool_)) or not (
        isinstance(winsorise, numbers.Real) and 0 <= winsorise < 0.5
    ):
        raise ValueError(f"winsorise must be a fraction in [0, 0.5), got {winsorise!r}")
    num = _array(numerators, "numerators")
    den = _array(denominators, "denominators")
    if num.shape != den.shape:
        raise ValueError(
            f"numerators and denominators have different lengths ({num.size} and {den.size})"
        )
    if num.size == 0:
        raise ValueError("a funnel plot needs at least one unit")
    for mask, message in (
        (den <= 0, "denominators[{i}] must be > 0"),
        (num < 0, "numerators[{i}] must be >= 0"),
        ((num > den) if kind == "proportion" else None, "numerators[{i}] exceeds its denominator"),
    ):
        if mask is not None and mask.any():
            raise ValueError(message.format(i=int(np.flatnonzero(mask)[0])))
    if target is None:
        theta = float(num.sum() / den.sum())
    else:
        theta = _positive(target, "target")
        if kind == "proportion" and theta >= 1:
            raise ValueError(f"a proportion's target must be in (0, 1), got {target!r}")
    if transform == "log" and theta == 0:
        raise ValueError("no events in any unit: the log scale needs a pooled rate above 0")

    values = num / den
    centre, s = _scale(transform, theta, den)
    deviation = _transform(transform, values) - centre
    z_plain = deviation / s
    phi, tau2 = math.nan, 0.0
    if overdispersion:
        zw = _winsorised(z_plain, float(winsorise))
        phi = float(np.mean(zw * zw))
        w = 1 / (s * s)
        spread = float(w.sum() - (w * w).sum() / w.sum())
        count = num.size
        if spread > 0 and math.isfinite(phi):
            tau2 = max(0.0, (count * phi - (count - 1)) / spread)
    z = deviation / np.sqrt(s * s + tau2)
    limits = _limits(transform, theta, tau2, den, scale)

    def flags(level: float) -> np.ndarray:
        return (np.sign(z) * (np.abs(z) > level)).astype(np.int8)

    arrays = dict(
        values=values * scale,
        denominators=den,
        z=z,
        z_unadjusted=z_plain,
        flag95=flags(Z95),
        flag99=flags(Z99),
        **limits,
    )
    for array in arrays.values():
        array.flags.writeable = False
    return FunnelResult(
        **arrays,
        target=theta * scale,
        theta=theta,
        phi=phi,
        tau2=tau2,
        kind=kind,
        transform=transform,
        multiplier=scale,
    )


def funnel_curves(
    result: FunnelResult,
    denominators: Sequence[float] | np.ndarray | None = None,
    *,
    points: int = 200,
) -> dict[str, np.ndarray]:
    """The funnel's limits over a range of denominators, for drawing.

    ``denominators``: where to evaluate them (> 0); by default ``points`` values spaced evenly
    on a log scale from the smallest to the largest denominator of ``result``. Returns
    ``{"denominators", "target", "ll99", "ll95", "ul95", "ul99"}`` as arrays; at a unit's own
    denominator the limits equal that unit's limits in ``result``.
    """
    if denominators is None:
        if isinstance(points, bool) or not isinstance(points, int) or points < 2:
            raise ValueError(f"points must be an integer >= 2, got {points!r}")
        low, high = float(result.denominators.min()), float(result.denominators.max())
        n = np.geomspace(low, high, points) if high > low else np.full(points, low)
    else:
        n = _array(denominators, "denominators")
        if (n <= 0).any():
            raise ValueError("denominators must be > 0")
    out = {"denominators": n, "target": np.full(n.shape, result.target)}
    out.update(_limits(result.transform, result.theta, result.tau2, n, result.multiplier))
    return out
