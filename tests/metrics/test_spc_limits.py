"""Tests of ``metrics.spc.control_limits`` and ``control_limits_many``.

Published worked examples are from Montgomery, D. C., *Introduction to Statistical Quality
Control* (Wiley): the examples named in issue #23 and the factors of Appendix Table VI, checked
to the precision the book prints. Where no published example is recalled reliably (Laney's p'
and u', Provost & Murray's g and t, the i and mR charts, variable subgroup sizes) the test is
*derived*: the formula computed independently in the test, in plain Python with ``math`` /
``statistics`` (or, for the i chart, from the existing XmR engine, which is checked against
NHSRplotthedots), and each such test says so.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics import spc
from metrics.spc import CHARTS, analyse, control_limits, control_limits_many
from metrics.spc_limits import D2, D3, D4, LIMIT_KEYS, MR_SCREEN, T_POWER, a3, b3, b4, c4

KEYS = ("values", *LIMIT_KEYS)

# Montgomery, Example 7.1: orange juice cans, 30 samples of n = 50, nonconforming cans per
# sample (Table 7.1). Published: p-bar = 0.2313, UCL = 0.4102, LCL = 0.0524.
ORANGE_JUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22]
ORANGE_JUICE += [8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]

# Montgomery, Example 7.3: nonconformities in 26 successive samples of 100 printed circuit
# boards (Table 7.7). Published: c-bar = 516 / 26 = 19.85, UCL = 33.22, LCL = 6.48.
CIRCUIT_BOARDS = [21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16, 19, 10, 17, 13, 22, 18]
CIRCUIT_BOARDS += [39, 30, 24, 16, 19, 17, 15]

# Montgomery, the u chart example of issue #23 (Example 7.4 there; numbering varies by
# edition): total nonconformities in 20 samples of n = 5 personal computers. Published:
# u-bar = 1.93, UCL = 3.79, LCL = 0.07.
COMPUTERS = [10, 12, 8, 14, 10, 16, 11, 7, 10, 15, 9, 5, 7, 11, 12, 6, 8, 10, 7, 5]


def first(result: dict[str, np.ndarray]) -> dict[str, float]:
    return {key: float(result[key][0]) for key in LIMIT_KEYS}


def assert_limits(result, centre, ll99, ul99, ll95, ul95, **kwargs) -> None:
    for key, want in zip(LIMIT_KEYS, (centre, ll99, ll95, ul95, ul99), strict=True):
        np.testing.assert_allclose(result[key], want, err_msg=key, **kwargs)


# --------------------------------------------------------------------------------------------
# Published examples (Montgomery)
# --------------------------------------------------------------------------------------------


def test_p_chart_montgomery_orange_juice():
    got = first(control_limits("p", ORANGE_JUICE, [50] * 30))
    assert round(got["centre"], 4) == 0.2313
    assert round(got["ul99"], 4) == 0.4102
    assert round(got["ll99"], 4) == 0.0524


def test_p_chart_as_percentages():
    got = first(control_limits("p", ORANGE_JUICE, [50] * 30, multiplier=100))
    assert round(got["centre"], 2) == 23.13 and round(got["ul99"], 2) == 41.02


def test_c_chart_montgomery_circuit_boards():
    got = first(control_limits("c", CIRCUIT_BOARDS))
    assert round(got["centre"], 2) == 19.85
    assert round(got["ll99"], 2) == 6.48
    # The book computes its limits from c-bar rounded to 19.85 (33.2161 -> 33.22); from the
    # unrounded 516 / 26 the upper limit is 33.2109. Both are checked.
    assert got["ul99"] == pytest.approx(516 / 26 + 3 * math.sqrt(516 / 26), abs=1e-12)
    rounded = first(control_limits("c", [19.85] * 26))
    assert round(rounded["ul99"], 2) == 33.22 and round(rounded["ll99"], 2) == 6.48


def test_u_chart_montgomery_personal_computers():
    got = first(control_limits("u", COMPUTERS, [5] * 20))
    assert round(got["centre"], 2) == 1.93
    assert round(got["ul99"], 2) == 3.79
    assert round(got["ll99"], 2) == 0.07


def test_xbar_and_s_charts_montgomery_piston_rings():
    """Example 6.3 (piston ring diameters, 25 subgroups of n = 5): the book's summary
    statistics x-double-bar = 74.001 and s-bar = 0.0094 give x-bar limits 74.014 / 73.988 and
    s limits B4 s-bar = 0.0196 / B3 s-bar = 0. The 125 diameters are not reproduced here, so
    the subgroups are given the summary values (then pooled s-bar = mean s = 0.0094)."""
    xbar = first(control_limits("xbar", [74.001] * 25, [5] * 25, sds=[0.0094] * 25))
    assert round(xbar["centre"], 3) == 74.001
    assert round(xbar["ul99"], 3) == 74.014
    assert round(xbar["ll99"], 3) == 73.988
    s = first(control_limits("s", [0.0094] * 25, [5] * 25))
    assert round(s["centre"], 4) == 0.0094
    assert round(s["ul99"], 4) == 0.0196
    assert s["ll99"] == 0.0


@pytest.mark.parametrize(
    ("n", "c4_", "a3_", "b3_", "b4_"),
    [
        # Montgomery, Appendix Table VI (factors for constructing variables control charts)
        (2, 0.7979, 2.659, 0.0, 3.267),
        (5, 0.9400, 1.427, 0.0, 2.089),
        (6, 0.9515, 1.287, 0.030, 1.970),
        (10, 0.9727, 0.975, 0.284, 1.716),
        (25, 0.9896, 0.606, 0.565, 1.435),
    ],
)
def test_subgroup_factors_match_montgomery_table(n, c4_, a3_, b3_, b4_):
    assert round(c4(n), 4) == c4_
    assert round(a3(n), 3) == a3_
    assert round(b3(n), 3) == b3_
    assert round(b4(n), 3) == b4_


def test_moving_range_constants():
    """d2 = 1.128, d3 = 0.853, D4 = 3.267 for n = 2 (Montgomery, Appendix Table VI); here
    computed exactly: d2 = 2 / sqrt(pi), d3 = sqrt(2 - 4 / pi)."""
    assert D2 == pytest.approx(1.1283791670955126, abs=1e-15)
    assert (round(D2, 3), round(D3, 3), round(D4, 3)) == (1.128, 0.853, 3.267)
    assert MR_SCREEN == spc.OUTLIER_SCREEN


def test_c4_from_the_gamma_function_for_large_n():
    """Derived: c4 by math.gamma directly, and its limit 1 - 1 / (4n) (not published here)."""
    for n in (2, 3, 7, 50, 171):
        want = math.sqrt(2 / (n - 1)) * math.gamma(n / 2) / math.gamma((n - 1) / 2)
        assert c4(n) == pytest.approx(want, rel=1e-12)
    assert c4(100_000) == pytest.approx(1 - 1 / 400_000, rel=1e-9)
    np.testing.assert_allclose(c4(np.array([5, 10])), [c4(5), c4(10)])


# --------------------------------------------------------------------------------------------
# Derived checks (formula computed independently in the test; not published examples)
# --------------------------------------------------------------------------------------------

# rnorm(20) after set.seed(123), the NHSRplotthedots test series used in test_spc.py
RNORM_20 = [-0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499]
RNORM_20 += [0.46091621, -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383]
RNORM_20 += [0.40077145, 0.11068272, -0.55584113, 1.78691314, 0.49785048, -1.96661716]
RNORM_20 += [0.70135590, -0.47279141]


@pytest.mark.parametrize("screen", [False, True])
def test_i_chart_agrees_with_the_xmr_engine(screen):
    """Derived: the i chart's mean moving range is the XmR engine's (``analyse``: limits
    mean +/- 2.66 mR-bar, golden-tested against NHSRplotthedots); here 3 mR-bar / d2."""
    xmr = analyse(RNORM_20, screen_outliers=screen)
    mr_bar = (xmr.upper[0] - xmr.mean[0]) / spc.LIMIT
    got = control_limits("i", RNORM_20, screen_outliers=screen)
    sigma = mr_bar / D2
    assert_limits(
        got,
        xmr.mean[0],
        xmr.mean[0] - 3 * sigma,
        xmr.mean[0] + 3 * sigma,
        xmr.mean[0] - 2 * sigma,
        xmr.mean[0] + 2 * sigma,
        rtol=1e-12,
    )
    np.testing.assert_array_equal(got["values"], RNORM_20)


def test_i_chart_screening_drops_the_large_moving_ranges():
    """Derived: [1, 2, ..] with one jump; by hand, the jump's two moving ranges go."""
    values = [10, 11, 10, 11, 10, 11, 30, 11, 10, 11]
    mrs = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    kept = [m for m in mrs if m < 3.267 * statistics.fmean(mrs)]
    assert len(kept) == len(mrs) - 2
    got = first(control_limits("i", values, screen_outliers=True))
    assert got["ul99"] == pytest.approx(statistics.fmean(values) + 3 * statistics.fmean(kept) / D2)


def test_mr_chart_derived():
    values = [5.0, 7.0, 4.0, 4.5, 9.0, 8.0]
    got = control_limits("mr", values)
    mrs = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    assert math.isnan(got["values"][0])
    np.testing.assert_allclose(got["values"][1:], mrs)
    mr_bar = statistics.fmean(mrs)
    assert_limits(got, mr_bar, 0.0, D4 * mr_bar, 0.0, mr_bar * (1 + 2 * D3 / D2), rtol=1e-12)
    assert D4 * mr_bar == pytest.approx(3.2665 * mr_bar, rel=1e-4)


def test_run_chart_centre_is_the_median():
    got = control_limits("run", [3, 1, 4, 1, 5, 9, 2, 6])
    assert (got["centre"] == statistics.median([3, 1, 4, 1, 5, 9, 2, 6])).all()
    for key in ("ll99", "ll95", "ul95", "ul99"):
        assert np.isnan(got[key]).all()


def test_p_chart_varying_denominators_derived():
    d, n = [3, 9, 4, 12], [40, 90, 55, 100]
    p_bar = sum(d) / sum(n)
    got = control_limits("p", d, n)
    np.testing.assert_allclose(got["values"], [a / b for a, b in zip(d, n, strict=True)])
    sigma = [math.sqrt(p_bar * (1 - p_bar) / m) for m in n]
    lo = [max(0.0, p_bar - 3 * s) for s in sigma]
    assert_limits(
        got,
        p_bar,
        lo,
        [p_bar + 3 * s for s in sigma],
        [max(0.0, p_bar - 2 * s) for s in sigma],
        [p_bar + 2 * s for s in sigma],
        rtol=1e-12,
    )


def _laney(d, n, kind):
    """Laney (2002), step by step in plain Python."""
    bar = sum(d) / sum(n)
    sigma = [math.sqrt((bar * (1 - bar) if kind == "pp" else bar) / m) for m in n]
    z = [(a / m - bar) / s for a, m, s in zip(d, n, sigma, strict=True)]
    sigma_z = statistics.fmean(abs(b - a) for a, b in zip(z, z[1:], strict=False)) / 1.1283791671
    return bar, [s * sigma_z for s in sigma]


@pytest.mark.parametrize("kind", ["pp", "up"])
def test_laney_charts_derived(kind):
    """Derived, not Laney's published data: z-scores, sigma_z = mean |z[i] - z[i-1]| / d2."""
    d = [120, 150, 96, 180, 140, 110, 200, 130]
    n = [1000, 1100, 900, 1200, 1000, 950, 1300, 1000]
    bar, sigma = _laney(d, n, kind)
    got = control_limits(kind, d, n)
    assert_limits(
        got,
        bar,
        [bar - 3 * s for s in sigma],
        [bar + 3 * s for s in sigma],
        [bar - 2 * s for s in sigma],
        [bar + 2 * s for s in sigma],
        rtol=1e-9,
    )


def test_laney_is_wider_than_p_when_overdispersed_and_sigma_z_recovers_it():
    """Derived: with sigma_z > 1 the p' limits are the p limits widened by exactly sigma_z."""
    d = [120, 150, 96, 180, 140, 110, 200, 130]
    n = [1000] * 8
    p, pp = control_limits("p", d, n), control_limits("pp", d, n)
    ratio = (pp["ul99"] - pp["centre"]) / (p["ul99"] - p["centre"])
    assert ratio[0] > 1
    np.testing.assert_allclose(ratio, ratio[0])


def test_laney_with_p_bar_zero_has_zero_width():
    got = control_limits("pp", [0, 0, 0], [10, 20, 30])
    for key in LIMIT_KEYS:
        np.testing.assert_array_equal(got[key], 0.0)


def test_g_chart_sigma_is_the_geometric_standard_deviation():
    """Derived: the geometric distribution on 0, 1, 2, ... with mean g-bar (success
    probability 1 / (g-bar + 1)) has variance g-bar (g-bar + 1); summed from its pmf here."""
    values = [12, 30, 7, 45, 3, 22, 18, 60, 9, 14]
    g_bar = statistics.fmean(values)
    q = g_bar / (g_bar + 1)  # P(no event) per opportunity
    pmf = [(1 - q) * q**k for k in range(20_000)]
    mean = sum(k * w for k, w in enumerate(pmf))
    sd = math.sqrt(sum((k - mean) ** 2 * w for k, w in enumerate(pmf)))
    assert mean == pytest.approx(g_bar, rel=1e-9)
    got = control_limits("g", values)
    assert_limits(got, g_bar, 0.0, g_bar + 3 * sd, 0.0, g_bar + 2 * sd, rtol=1e-9)


def test_t_chart_derived():
    """Derived: y = x ** (1 / 3.6), an i chart of y, limits raised back to the power 3.6."""
    days = [14.0, 3.5, 40.0, 22.0, 9.0, 61.0, 30.0, 5.0, 18.0]
    y = [x ** (1 / 3.6) for x in days]
    y_bar = statistics.fmean(y)
    sigma = statistics.fmean(abs(b - a) for a, b in zip(y, y[1:], strict=False)) / D2
    got = control_limits("t", days)
    np.testing.assert_array_equal(got["values"], days)
    assert_limits(
        got,
        y_bar**3.6,
        max(0.0, y_bar - 3 * sigma) ** 3.6,
        (y_bar + 3 * sigma) ** 3.6,
        max(0.0, y_bar - 2 * sigma) ** 3.6,
        (y_bar + 2 * sigma) ** 3.6,
        rtol=1e-9,
    )
    assert T_POWER == 3.6


def test_xbar_and_s_with_unequal_subgroups_derived():
    """Derived (Montgomery section 6.3's variable-size formulas, not its example data)."""
    means, sizes, sds = [10.2, 9.8, 10.5, 10.0], [5, 3, 8, 4], [0.6, 0.9, 0.5, 0.7]
    s_bar = math.sqrt(
        sum((n - 1) * s * s for n, s in zip(sizes, sds, strict=True)) / sum(n - 1 for n in sizes)
    )
    centre = sum(n * m for n, m in zip(sizes, means, strict=True)) / sum(sizes)

    def c4_(n):
        return math.sqrt(2 / (n - 1)) * math.gamma(n / 2) / math.gamma((n - 1) / 2)

    half = [s_bar / (c4_(n) * math.sqrt(n)) for n in sizes]
    got = control_limits("xbar", means, sizes, sds=sds)
    assert_limits(
        got,
        centre,
        [centre - 3 * h for h in half],
        [centre + 3 * h for h in half],
        [centre - 2 * h for h in half],
        [centre + 2 * h for h in half],
        rtol=1e-12,
    )
    width = [s_bar * math.sqrt(1 - c4_(n) ** 2) / c4_(n) for n in sizes]
    got = control_limits("s", sds, sizes)
    assert_limits(
        got,
        s_bar,
        [max(0.0, s_bar - 3 * w) for w in width],
        [s_bar + 3 * w for w in width],
        [max(0.0, s_bar - 2 * w) for w in width],
        [s_bar + 2 * w for w in width],
        rtol=1e-12,
    )


def test_single_point_segment_has_no_moving_range_limits():
    got = control_limits("i", [1.0, 2.0, 3.0, 10.0], segments=["a", "a", "a", "b"])
    assert np.isnan(got["ul99"][3]) and got["centre"][3] == 10.0
    assert not np.isnan(got["ul99"][:3]).any()


def test_constant_segment_screened_gives_nan_like_analyse():
    screened = control_limits("i", [4.0] * 6, screen_outliers=True)
    assert np.isnan(screened["ul99"]).all()
    assert (control_limits("i", [4.0] * 6)["ul99"] == 4.0).all()


def test_segments_change_on_each_change_of_label():
    got = control_limits("c", [1, 1, 5, 5, 1, 1], segments=["x", "x", "y", "y", "x", "x"])
    np.testing.assert_array_equal(got["centre"], [1, 1, 5, 5, 1, 1])


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("x", [1, 2]), {}, "chart must be one of"),
        (("p", [1, 2]), {}, "needs denominators"),
        (("c", [1, 2], [3, 4]), {}, "use a u chart"),
        (("g", [1, 2], [3, 4]), {}, "takes no denominators"),
        (("xbar", [1, 2], [3, 4]), {}, "needs sds"),
        (("i", [1, 2]), {"sds": [1, 1]}, "only used by the xbar"),
        (("p", [1, 2], [3]), {}, "different lengths \\(2 and 1\\)"),
        (("i", [1, 2]), {"segments": ["a"]}, "different lengths"),
        (("i", []), {}, "at least one point"),
        (("i", [1, float("nan")]), {}, r"numerators\[1\] must be finite"),
        (("p", [1, 2], [3, 0]), {}, r"denominators\[1\] must be > 0, got 0.0"),
        (("u", [1, 2], [3, -1]), {}, r"denominators\[1\] must be > 0"),
        (("c", [1, -2]), {}, r"numerators\[1\] must be >= 0"),
        (("g", [-1, 2]), {}, r"numerators\[0\] must be >= 0"),
        (("t", [1, -2]), {}, "must be >= 0"),
        (("s", [0.1, -0.2], [5, 5]), {}, "must be >= 0"),
        (("p", [6, 2], [5, 5]), {}, "exceeds its denominator"),
        (("xbar", [1, 2], [5, 2.5]), {"sds": [1, 1]}, "integer subgroup size >= 2"),
        (("s", [1, 2], [1, 5]), {}, "integer subgroup size >= 2"),
        (("xbar", [1, 2], [5, 5]), {"sds": [1, -1]}, r"sds\[1\] must be >= 0"),
        (("i", [1, 2]), {"multiplier": 0}, "multiplier must be a positive"),
        (("i", [1, 2]), {"multiplier": True}, "multiplier must be a positive"),
        (("i", "12"), {}, "not a string"),
        (("i", [1, True]), {}, "real numbers"),
        (("i", [[1, 2]]), {}, "1-dimensional"),
    ],
)
def test_validation(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        control_limits(*args, **kwargs)


def test_validation_many_names_the_series_and_point():
    with pytest.raises(ValueError, match=r"denominators\[1, 2\] must be > 0"):
        control_limits_many("u", np.ones((2, 3)), [[1, 1, 1], [1, 1, 0]])
    with pytest.raises(ValueError, match="different shapes"):
        control_limits_many("u", np.ones((2, 3)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="NaN before its last value"):
        control_limits_many("i", [[1.0, np.nan, 2.0]])
    with pytest.raises(ValueError, match="lengths must be between 1 and 3"):
        control_limits_many("i", np.ones((1, 3)), lengths=[4])


def test_padding_past_lengths_is_ignored():
    """Bad values past a series' length (zeros, NaN, negatives) are not checked or used."""
    num = np.array([[3.0, 4.0, -1.0], [2.0, 5.0, 7.0]])
    den = np.array([[10.0, 10.0, 0.0], [10.0, 10.0, 10.0]])
    got = control_limits_many("p", num, den, lengths=[2, 3])
    want = control_limits("p", [3, 4], [10, 10])
    for key in KEYS:
        np.testing.assert_array_equal(got[key][0, :2], want[key])
        assert np.isnan(got[key][0, 2])


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TRUNCATED_AT_ZERO = ("p", "pp", "u", "up", "c", "g", "t", "s", "mr")


@st.composite
def chart_inputs(draw, chart=None, min_size=1, max_size=30):
    """(chart, numerators, denominators, sds) valid for the chart."""
    chart = chart or draw(st.sampled_from(CHARTS))
    n = draw(st.integers(min_size, max_size))
    sizes = draw(st.lists(st.integers(1, 500), min_size=n, max_size=n))
    counts = st.integers(0, 400)
    den = sds = None
    if chart in ("p", "pp"):
        num = [draw(st.integers(0, m)) for m in sizes]
        den = sizes
    elif chart in ("u", "up"):
        num, den = draw(st.lists(counts, min_size=n, max_size=n)), sizes
    elif chart in ("xbar", "s"):
        den = [2 + m % 20 for m in sizes]
        spreads = st.floats(0, 50, allow_nan=False)
        num = draw(st.lists(spreads if chart == "s" else st.floats(-1e3, 1e3), min_size=n))
        num = num[:n] + [1.0] * (n - len(num))
        if chart == "xbar":
            sds = draw(st.lists(spreads, min_size=n, max_size=n))
    elif chart in ("c", "g", "t"):
        num = draw(st.lists(st.floats(0, 1e4, allow_nan=False), min_size=n, max_size=n))
    else:
        num = draw(st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=n, max_size=n))
    return chart, num, den, sds


def _call(inputs, **kwargs):
    chart, num, den, sds = inputs
    return control_limits(chart, num, den, sds=sds, **kwargs)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.allclose(a, b, rtol=1e-12, atol=1e-12, equal_nan=True))


@PROPERTY_SETTINGS
@given(inputs=chart_inputs(min_size=2), data=st.data())
def test_property_segments_are_independent(inputs, data):
    chart, num, den, sds = inputs
    n = len(num)
    cuts = sorted(data.draw(st.sets(st.integers(1, n - 1), max_size=3)))
    bounds = [0, *cuts, n]
    labels = [
        k % 2
        for k, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))
        for _ in range(b - a)
    ]
    screen = data.draw(st.booleans())
    whole = _call(inputs, segments=labels, screen_outliers=screen)
    for a, b in zip(bounds, bounds[1:], strict=False):
        part = control_limits(
            chart,
            num[a:b],
            None if den is None else den[a:b],
            sds=None if sds is None else sds[a:b],
            screen_outliers=screen,
        )
        for key in KEYS:
            assert _same(whole[key][a:b], part[key]), key


@PROPERTY_SETTINGS
@given(inputs=chart_inputs(), multiplier=st.sampled_from([0.5, 3, 100, 1e3]))
def test_property_multiplier_scales_linearly(inputs, multiplier):
    base = _call(inputs)
    scaled = _call(inputs, multiplier=multiplier)
    for key in KEYS:
        assert _same(scaled[key], base[key] * multiplier), key


@PROPERTY_SETTINGS
@given(inputs=chart_inputs(), multiplier=st.sampled_from([1, 100]), screen=st.booleans())
def test_property_limits_ordered_and_truncated(inputs, multiplier, screen):
    chart = inputs[0]
    got = _call(inputs, multiplier=multiplier, screen_outliers=screen)
    for key in KEYS:
        assert got[key].shape == (len(inputs[1]),)
    present = ~np.isnan(got["ul99"])
    ll99, ll95, centre, ul95, ul99 = (
        got[k][present] for k in ("ll99", "ll95", "centre", "ul95", "ul99")
    )
    slack = 1e-9 * (1 + np.abs(centre))
    assert (ll99 <= ll95 + slack).all() and (ll95 <= centre + slack).all()
    assert (centre <= ul95 + slack).all() and (ul95 <= ul99 + slack).all()
    if chart in TRUNCATED_AT_ZERO:
        assert (ll99 >= 0).all()
    if chart in ("p", "pp"):
        assert (ul99 <= multiplier).all()


@PROPERTY_SETTINGS
@given(inputs=st.sampled_from(["i", "pp", "up", "t"]).flatmap(lambda c: chart_inputs(c, 2)))
def test_property_screening_never_widens_the_limits(inputs):
    plain, screened = _call(inputs), _call(inputs, screen_outliers=True)
    present = ~np.isnan(screened["ul99"])  # NaN: every moving range screened out (constant)
    width = plain["ul99"] - plain["centre"]
    narrower = screened["ul99"] - screened["centre"]
    assert (narrower[present] <= width[present] * (1 + 1e-12) + 1e-12).all()
    assert (screened["ll99"][present] >= plain["ll99"][present] - 1e-9).all()


@PROPERTY_SETTINGS
@given(
    rows=st.sampled_from(CHARTS).flatmap(
        lambda c: st.lists(chart_inputs(c, 1, 12), min_size=1, max_size=6)
    ),
    screen=st.booleans(),
)
def test_property_many_equals_one_at_a_time(rows, screen):
    chart = rows[0][0]
    width = max(len(r[1]) for r in rows)

    def grid(index, fill):
        if rows[0][index] is None:
            return None
        out = np.full((len(rows), width), fill)
        for i, r in enumerate(rows):
            out[i, : len(r[index])] = r[index]
        return out

    lengths = [len(r[1]) for r in rows]
    got = control_limits_many(
        chart,
        grid(1, -7.0),
        grid(2, 0.0),
        sds=grid(3, -1.0),
        lengths=lengths,
        screen_outliers=screen,
    )
    for i, r in enumerate(rows):
        want = _call(r, screen_outliers=screen)
        for key in KEYS:
            assert _same(got[key][i, : lengths[i]], want[key]), (i, key)
            assert np.isnan(got[key][i, lengths[i] :]).all()
