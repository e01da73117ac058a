"""Tests of ``metrics.funnel`` (Spiegelhalter's funnel plots with over-dispersion).

No published data set is recalled reliably enough to quote (Spiegelhalter 2005 and FunnelPlotR's
examples included), so every known-answer test here is *derived*: the method of the module
docstring recomputed step by step in plain Python (``math``, ``statistics``, an own type-7
quantile), plus simulations with a known truth and properties.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.funnel import Z95, Z99, funnel, funnel_curves

# deaths / admissions in 12 units (made up, deliberately over-dispersed)
DEATHS = [12, 30, 7, 45, 3, 22, 18, 60, 9, 14, 41, 5]
ADMISSIONS = [150, 260, 120, 300, 60, 240, 200, 420, 110, 170, 290, 90]


def quantile7(xs: list[float], q: float) -> float:
    """R's default quantile (type 7): linear interpolation between order statistics."""
    xs = sorted(xs)
    h = (len(xs) - 1) * q
    lo = math.floor(h)
    return xs[lo] + (h - lo) * (xs[min(lo + 1, len(xs) - 1)] - xs[lo])


def by_hand(o, n, g, back, se, theta, fraction):
    """Spiegelhalter (2005): z-scores, winsorised phi, tau^2, limits - step by step."""
    z = [(g(a / m) - g(theta)) / se(m) for a, m in zip(o, n, strict=True)]
    low, high = quantile7(z, fraction), quantile7(z, 1 - fraction)
    phi = statistics.fmean(min(max(v, low), high) ** 2 for v in z)
    w = [1 / se(m) ** 2 for m in n]
    tau2 = max(0.0, (len(z) * phi - (len(z) - 1)) / (sum(w) - sum(x * x for x in w) / sum(w)))
    limits = {
        key: [back(g(theta) + k * math.sqrt(se(m) ** 2 + tau2)) for m in n]
        for key, k in (("ll99", -Z99), ("ll95", -Z95), ("ul95", Z95), ("ul99", Z99))
    }
    adjusted = [
        (g(a / m) - g(theta)) / math.sqrt(se(m) ** 2 + tau2) for a, m in zip(o, n, strict=True)
    ]
    return z, adjusted, phi, tau2, limits


def test_quantiles():
    assert Z95 == pytest.approx(1.959963984540054, abs=1e-12)
    assert Z99 == pytest.approx(3.090232306167813, abs=1e-12)


def test_proportions_on_the_arcsine_scale_derived():
    theta = sum(DEATHS) / sum(ADMISSIONS)

    def g(p):
        return math.asin(math.sqrt(p))

    def back(y):
        return math.sin(min(max(y, 0.0), math.pi / 2)) ** 2

    def se(m):
        return 1 / (2 * math.sqrt(m))

    z, adjusted, phi, tau2, limits = by_hand(DEATHS, ADMISSIONS, g, back, se, theta, 0.1)
    got = funnel(DEATHS, ADMISSIONS)
    assert got.transform == "asin" and got.target == pytest.approx(theta)
    np.testing.assert_allclose(got.z_unadjusted, z, rtol=1e-12)
    assert got.phi == pytest.approx(phi, rel=1e-12)
    assert got.tau2 == pytest.approx(tau2, rel=1e-12) and tau2 > 0
    np.testing.assert_allclose(got.z, adjusted, rtol=1e-12)
    for key, want in limits.items():
        np.testing.assert_allclose(getattr(got, key), want, rtol=1e-12, err_msg=key)


@pytest.mark.parametrize("transform", ["log", "sqrt"])
def test_rates_derived(transform):
    """Standardised ratios: observed / expected, target 1."""
    expected = [10.5, 28.0, 9.1, 38.2, 4.4, 20.0, 21.7, 52.3, 8.8, 16.1, 33.0, 6.2]
    if transform == "log":
        g, back = math.log, math.exp

        def se(m):
            return 1 / math.sqrt(1.0 * m)
    else:
        g = math.sqrt

        def back(y):
            return max(y, 0.0) ** 2

        def se(m):
            return 1 / (2 * math.sqrt(m))

    z, adjusted, phi, tau2, limits = by_hand(DEATHS, expected, g, back, se, 1.0, 0.1)
    got = funnel(DEATHS, expected, kind="rate", target=1, transform=transform)
    np.testing.assert_allclose(got.z_unadjusted, z, rtol=1e-12)
    assert got.phi == pytest.approx(phi, rel=1e-12)
    assert got.tau2 == pytest.approx(tau2, rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(got.z, adjusted, rtol=1e-12)
    for key, want in limits.items():
        np.testing.assert_allclose(getattr(got, key), want, rtol=1e-12, err_msg=key)


def test_rate_defaults_to_the_log_scale_and_the_pooled_rate():
    got = funnel([5, 8, 12], [1000, 2000, 2500], kind="rate", multiplier=100_000)
    assert got.transform == "log"
    assert got.target == pytest.approx(25 / 5500 * 100_000)
    np.testing.assert_allclose(got.values, [500.0, 400.0, 480.0])


def test_without_overdispersion_limits_are_the_plain_ones():
    got = funnel(DEATHS, ADMISSIONS, overdispersion=False)
    assert got.tau2 == 0 and math.isnan(got.phi)
    np.testing.assert_array_equal(got.z, got.z_unadjusted)
    theta = got.target
    y = math.asin(math.sqrt(theta))
    want = [math.sin(y + Z99 / (2 * math.sqrt(m))) ** 2 for m in ADMISSIONS]
    np.testing.assert_allclose(got.ul99, want, rtol=1e-12)


def test_overdispersion_widens_limits_and_flags_fewer():
    plain = funnel(DEATHS, ADMISSIONS, overdispersion=False)
    adjusted = funnel(DEATHS, ADMISSIONS)
    assert (adjusted.ul99 > plain.ul99).all() and (adjusted.ll99 < plain.ll99).all()
    assert np.abs(adjusted.flag95).sum() < np.abs(plain.flag95).sum()


def test_flags_match_the_limits():
    got = funnel(DEATHS, ADMISSIONS, overdispersion=False)
    above = np.asarray(got.values) > got.ul95
    below = np.asarray(got.values) < got.ll95
    np.testing.assert_array_equal(got.flag95, above.astype(int) - below.astype(int))
    assert (np.abs(got.flag99) <= np.abs(got.flag95)).all()
    assert np.abs(got.flag95).sum() > 0


def test_tau_recovered_from_simulated_random_effects():
    """Simulation with a known truth: unit effects N(0, 0.05^2) on the arcsine scale; with no
    winsorising the moment estimator recovers tau^2 = 0.0025 (to sampling error)."""
    rng = np.random.default_rng(20240601)
    n = rng.integers(100, 5000, 2000)
    effects = np.arcsin(np.sqrt(0.1)) + rng.normal(0, 0.05, n.size)
    o = rng.binomial(n, np.sin(effects) ** 2)
    got = funnel(o, n, winsorise=0)
    assert got.tau2 == pytest.approx(0.0025, rel=0.15)


def test_no_overdispersion_when_binomial():
    """Simulation: pure binomial data give phi near 1 unwinsorised and tau^2 near 0."""
    rng = np.random.default_rng(7)
    n = rng.integers(100, 5000, 2000)
    got = funnel(rng.binomial(n, 0.1), n, winsorise=0)
    assert got.phi == pytest.approx(1.0, abs=0.1)
    assert got.tau2 < 1e-5
    assert 0.03 < np.mean(np.abs(got.flag95)) < 0.07  # about 5% beyond the 95% limits


def test_curves_pass_through_each_units_limits():
    got = funnel(DEATHS, ADMISSIONS, multiplier=100)
    curves = funnel_curves(got, ADMISSIONS)
    for key in ("ll99", "ll95", "ul95", "ul99"):
        np.testing.assert_allclose(curves[key], getattr(got, key), rtol=1e-12)
    default = funnel_curves(got, points=50)
    assert default["denominators"][0] == min(ADMISSIONS)
    assert default["denominators"][-1] == pytest.approx(max(ADMISSIONS))
    assert (np.diff(default["ul99"]) < 0).all() and (np.diff(default["ll99"]) > 0).all()
    assert (default["target"] == got.target).all()


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (([1], [2]), {"kind": "ratio"}, "kind must be one of"),
        (([1], [2]), {"transform": "log"}, "transform for proportion"),
        (([1, 2], [2]), {}, "different lengths"),
        (([], []), {}, "at least one unit"),
        (([1, 2], [2, 0]), {}, r"denominators\[1\] must be > 0"),
        (([1, -2], [2, 3]), {"kind": "rate"}, r"numerators\[1\] must be >= 0"),
        (([3, 2], [2, 3]), {}, r"numerators\[0\] exceeds"),
        (([1, float("inf")], [2, 3]), {}, "must be finite"),
        (([1], [2]), {"multiplier": -1}, "multiplier must be"),
        (([1], [2]), {"winsorise": 0.5}, "winsorise must be"),
        (([1], [2]), {"target": 1.0}, r"in \(0, 1\)"),
        (([0, 0], [2, 3]), {"kind": "rate"}, "pooled rate above 0"),
        (("12", [2, 3]), {}, "not a string"),
    ],
)
def test_validation(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        funnel(*args, **kwargs)


def test_one_unit_has_no_overdispersion():
    got = funnel([3], [10])
    assert got.tau2 == 0 and got.flag99.tolist() == [0]


@settings(max_examples=60, deadline=None, database=None)
@given(
    units=st.lists(
        st.tuples(st.integers(1, 5000), st.floats(0, 1)).map(lambda t: (int(t[0] * t[1]), t[0])),
        min_size=2,
        max_size=40,
    ),
    multiplier=st.sampled_from([1, 100]),
    overdispersion=st.booleans(),
)
def test_property_limits_ordered_bounded_and_scaled(units, multiplier, overdispersion):
    o, n = zip(*units, strict=True)
    got = funnel(o, n, multiplier=multiplier, overdispersion=overdispersion)
    base = funnel(o, n, overdispersion=overdispersion)
    assert got.tau2 >= 0
    assert (0 <= got.ll99).all() and (got.ul99 <= multiplier * (1 + 1e-12)).all()
    assert (got.ll99 <= got.ll95).all() and (got.ul95 <= got.ul99).all()
    assert (got.ll95 <= got.target * (1 + 1e-12)).all()
    assert (got.target <= got.ul95 * (1 + 1e-12)).all()
    for key in ("values", "ll99", "ll95", "ul95", "ul99"):
        np.testing.assert_allclose(getattr(got, key), getattr(base, key) * multiplier)
    np.testing.assert_array_equal(got.flag99, base.flag99)
