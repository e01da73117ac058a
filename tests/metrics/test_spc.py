"""Tests of the SPC engine, ``metrics.spc.analyse``.

Ported cases from NHSRplotthedots 0.2.2 (``tests/testthat/*.R``, file named in each docstring),
hand-computed examples, edge cases and Hypothesis properties.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics import spc
from metrics.spc import (
    ASSURANCES,
    IMPROVEMENTS,
    LABELS,
    LIMIT,
    LIMIT_CLOSE,
    MIN_POINTS,
    POINT_TYPES,
    VARIATIONS,
    SPCResult,
    analyse,
)

# rnorm(20) after set.seed(123), as printed (8 decimals) in the package's snapshots
RNORM_20 = [
    -0.56047565,
    -0.23017749,
    1.55870831,
    0.07050839,
    0.12928774,
    1.71506499,
    0.46091621,
    -1.26506123,
    -0.68685285,
    -0.44566197,
    1.22408180,
    0.35981383,
    0.40077145,
    0.11068272,
    -0.55584113,
    1.78691314,
    0.49785048,
    -1.96661716,
    0.70135590,
    -0.47279141,
]

INCREASE, DECREASE, NEUTRAL = (IMPROVEMENTS.index(x) for x in ("increase", "decrease", "neutral"))


def special(result: SPCResult) -> dict[int, str]:
    """Index -> point type of every special-cause point."""
    return {i: p for i, p in enumerate(result.point_type) if p != "common_cause"}


def sign_of_mean(values, mean):
    return [int(np.sign(v - mean)) for v in values]


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------


def test_vocabulary_constants():
    assert IMPROVEMENTS == ("increase", "decrease", "neutral")
    assert POINT_TYPES == (
        "common_cause",
        "special_cause_improvement",
        "special_cause_concern",
        "special_cause_neutral",
    )
    assert set(VARIATIONS) == {
        "common_cause",
        "improvement_high",
        "improvement_low",
        "concern_high",
        "concern_low",
        "neutral_high",
        "neutral_low",
    }
    assert ASSURANCES == ("consistent_pass", "consistent_fail", "hit_and_miss")
    for value in IMPROVEMENTS + POINT_TYPES + VARIATIONS + ASSURANCES:
        assert LABELS[value]
    assert LIMIT == 2.66
    assert LIMIT_CLOSE == 2 * (2.66 / 3)
    assert MIN_POINTS == 12


def test_result_is_frozen():
    r = analyse([1, 2, 3])
    with pytest.raises(AttributeError):
        r.n = 4  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# Ported from NHSRplotthedots tests/testthat
# --------------------------------------------------------------------------------------------


def test_ptd_spc_standard_expected_values():
    """test-ptd_spc_standard.R, "it returns expected values" (r1; _snaps/ptd_spc_standard.md):
    rnorm(20) with seed 123 -> mean 0.1416238, lpl -3.01138, upl 3.294627, nothing outside or
    close to the limits."""
    r = analyse(RNORM_20)
    assert r.n == 20
    assert r.mean == pytest.approx([0.1416238] * 20, abs=5e-8)
    assert r.lower == pytest.approx([-3.01138] * 20, abs=5e-6)
    assert r.upper == pytest.approx([3.294627] * 20, abs=5e-7)
    assert sign_of_mean(RNORM_20, r.mean[0])[:15] == [
        -1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1,
    ]  # fmt: skip
    assert special(r) == {}
    assert r.segment == (0,) * 20
    assert r.variation == "common_cause"
    assert r.assurance is None
    assert r.provisional is False


def test_ptd_spc_standard_screen_outliers():
    """test-ptd_spc_standard.R, "it returns expected values" (r2, r3): with y[15] = 10 the
    screened limits are -2.383666 / 3.722497, unscreened -4.596625 / 5.935457 (mean 0.6694159),
    every limit differs from r1's and the unscreened range is the wider."""
    y = list(RNORM_20)
    y[14] = 10
    r1 = analyse(RNORM_20)
    r2 = analyse(y)
    r3 = analyse(y, screen_outliers=False)
    assert r2.mean[0] == pytest.approx(0.6694159, abs=5e-8)
    assert r3.mean[0] == pytest.approx(0.6694159, abs=5e-8)
    assert r2.lower[0] == pytest.approx(-2.383666, abs=5e-7)
    assert r2.upper[0] == pytest.approx(3.722497, abs=5e-7)
    assert r3.lower[0] == pytest.approx(-4.596625, abs=5e-7)
    assert r3.upper[0] == pytest.approx(5.935457, abs=5e-7)
    assert sign_of_mean(y, r2.mean[0])[:14] == [-1, -1, 1, -1, -1, 1, -1, -1, -1, -1, 1, -1, -1, -1]
    assert len({r1.lower[0], r2.lower[0], r3.lower[0]}) == 3
    assert len({r1.upper[0], r2.upper[0], r3.upper[0]}) == 3
    assert r3.upper[0] - r3.lower[0] > r2.upper[0] - r2.lower[0]
    # the outlier is beyond the upper limit either way
    assert special(r2) == special(r3) == {14: "special_cause_improvement"}


def test_ptd_spc_summary_facets_as_segments():
    """test-ptd_spc.R, summary snapshots (_snaps/ptd_spc.md): the two halves of rnorm(20) have
    mean 0.0746 / 0.209, lpl -2.60 / -3.28, upl 2.75 / 3.70, all 20 points common cause. Facets
    are analysed like segments, so a rebase at point 11 gives the same numbers."""
    r = analyse(RNORM_20, rebase_at=[10])
    assert r.segment == (0,) * 10 + (1,) * 10
    assert r.mean[0] == pytest.approx(0.0746, abs=5e-5)
    assert r.lower[0] == pytest.approx(-2.60, abs=5e-3)
    assert r.upper[0] == pytest.approx(2.75, abs=5e-3)
    assert r.mean[-1] == pytest.approx(0.209, abs=5e-4)
    assert r.lower[-1] == pytest.approx(-3.28, abs=5e-3)
    assert r.upper[-1] == pytest.approx(3.70, abs=5e-3)
    assert set(r.mean[:10]) == {r.mean[0]} and set(r.mean[10:]) == {r.mean[-1]}
    assert special(r) == {}
    assert r.variation == "common_cause"
    # the whole series: 0.142 / -3.01 / 3.29 (first summary snapshot, with a target of 0.5)
    whole = analyse(RNORM_20, target=0.5)
    assert (whole.mean[0], whole.lower[0], whole.upper[0]) == pytest.approx(
        (0.142, -3.01, 3.29), abs=5e-3
    )
    assert whole.assurance == "hit_and_miss"


def test_ptd_spc_standard_rebase_group():
    """test-ptd_spc_standard.R, "it sets the rebase_group field": a rebase at the 11th of 20
    points gives groups 0 x 10 then 1 x 10; without rebase every point is in group 0."""
    assert analyse(RNORM_20).segment == (0,) * 20
    assert analyse(RNORM_20, rebase_at=[10]).segment == (0,) * 10 + (1,) * 10


def test_ptd_spc_standard_two_in_three_opposite_sides():
    """test-ptd_spc_standard.R, "it only reports special cause for 2 of 3 points close to limits
    when they are on the same side of the mean": rep(c(1, -1), 8) with y[15] = 5.5 and
    y[16] = -5.5 -> the last two points are common cause."""
    y = [1, -1] * 8
    y[14], y[15] = 5.5, -5.5
    r = analyse(y)
    assert r.point_type[-2:] == ("common_cause", "common_cause")
    # they are close to the limits (between the two-sigma line and the limit) ...
    assert r.upper_two_sigma[0] < 5.5 < r.upper[0]
    assert r.lower[0] < -5.5 < r.lower_two_sigma[0]
    # in a window of three points above the mean they are flagged
    y[13], y[15] = 1, 5.5
    r = analyse(y)
    assert r.upper_two_sigma[0] < 5.5 < r.upper[0] and r.mean[0] < 1
    assert special(r) == {14: "special_cause_improvement", 15: "special_cause_improvement"}


def test_ptd_seven_point_one_side_mean():
    """test-ptd_calculate_point_type.R, "ptd_seven_point_one_side_mean works as expected"."""
    f = spc._seven_point_one_side_mean
    assert f([]) == []
    assert f([1] * 6) == [0] * 6
    assert f([1] * 6 + [-1]) == [0] * 7
    assert f([1] * 8 + [-1]) == [0, 0, 0, 0, 0, 0, 1, 1, 0]
    assert f([-1] * 8 + [1]) == [0, 0, 0, 0, 0, 0, 1, 1, 0]
    # from "ptd_part_of_seven_trend works as expected"
    assert f([1] * 6 + [-1]) == [0] * 7
    assert f([-1] + [1] * 8 + [-1]) == [0, 0, 0, 0, 0, 0, 0, 1, 1, 0]
    assert f([1] + [-1] * 8 + [1]) == [0, 0, 0, 0, 0, 0, 0, 1, 1, 0]


def test_ptd_part_of_seven_trend():
    """test-ptd_calculate_point_type.R, "ptd_part_of_seven_trend works as expected"."""
    f = spc._part_of_seven_trend
    assert f([]) == []
    assert f([0] * 6) == [0] * 6
    assert f([0] * 6 + [1, 0]) == [1] * 7 + [0]
    assert f([0] * 7 + [1, 0]) == [0] + [1] * 7 + [0]
    assert f([0] * 6 + [-1, 0]) == [1] * 7 + [0]
    assert f([0] * 7 + [-1, 0]) == [0] + [1] * 7 + [0]


def test_ptd_seven_point_trend():
    """test-ptd_calculate_point_type.R, "ptd_seven_point_trend works as expected"."""
    f = spc._seven_point_trend
    assert f([]) == []
    assert f(list(range(1, 7))) == [0] * 6
    assert f([1, 2, 3, 3, 4, 5, 6]) == [0] * 7  # c(1:3, 3:6): the tie breaks the trend
    assert f(list(range(1, 8))) == [0, 0, 0, 0, 0, 0, 1]
    assert f([2, *range(1, 8), 3]) == [0, 0, 0, 0, 0, 0, 0, 1, 0]
    assert f(list(range(7, 0, -1))) == [0, 0, 0, 0, 0, 0, -1]
    assert f([2, *range(7, 0, -1), 3]) == [0, 0, 0, 0, 0, 0, 0, -1, 0]


def test_ptd_two_in_three():
    """test-ptd_calculate_point_type.R, "ptd_two_in_three works as expected" and "... when
    points are on opposite sides of the mean"."""
    f = spc._two_in_three
    assert f([], []) == []
    assert f([0, 0, 0], [0]) == [0, 0, 0]
    same = [1, 1, 1]
    assert f([1, 0, 1], same) == f([0, 1, 1], same) == f([1, 1, 0], same) == [1, 1, 1]
    assert f([0, 0, 1, 0, 1, 0, 0], [1] * 7) == [0, 0, 1, 1, 1, 0, 0]
    assert f([0, 0, 1, 1, 0, 0, 0], [1] * 7) == [0, 1, 1, 1, 1, 0, 0]
    mixed = [1, -1, 1]
    assert f([1, 0, 1], mixed) == f([0, 1, 1], mixed) == f([1, 1, 0], mixed) == [0, 0, 0]
    assert f([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1]) == [0] * 7
    assert f([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1]) == [0] * 7


def test_ptd_part_of_two_in_three():
    """test-ptd_calculate_point_type.R, "ptd_part_of_two_in_three works as expected"."""
    t3, part = spc._two_in_three, spc._part_of_two_in_three
    assert part(t3([], []), []) == []
    assert part([0, 0, 0], t3([0, 0, 0], [0])) == [0, 0, 0]
    for v in ([1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1, 0, 1, 0, 0]):
        assert part(t3(v, [1] * len(v)), v) == v
    gv = [0, 0, 1, 1, 0, 0, 0]
    assert part(gv, gv) == gv
    hv = [1, 0, 0, 1]
    assert part(t3(hv, [1] * 4), hv) == [0, 0, 0, 0]
    iv = [1, 0, 0, 1, 1]
    assert part(t3(iv, [1] * 5), iv) == [0, 0, 0, 1, 1]


def test_ptd_special_cause_type():
    """test-ptd_calculate_point_type.R, "ptd_special_cause_type works as expected" (the mocked
    rule outputs given directly): precedence outside > trend > 2-in-3 > run, trend direction
    from the neighbouring steps, side from relative_to_mean."""
    types = spc._special_cause_types(
        y=[1, 2, 3, 4, 5, 6, 7, 8],
        rtm=[1, 1, 1, 1, -1, -1, -1, -1],
        outside=[0, 0, 0, 0, 0, 1, -1, 0],
        part_trend=[1, -1, 0, 0, 0, 0, 0, 0],
        part_two_in_three=[0, 0, 0, 0, 1, 0, 0, 0],
        part_one_side=[0, 0, 1, -1, 0, 0, 0, 0],
    )
    assert types == [
        "7 Point Trend (Increasing)",
        "7 Point Trend (Increasing)",
        "7 Points Above CL",
        "7 Points Above CL",
        "2 in 3 Below CL",
        "Below LCL",
        "Below LCL",
        "Common Cause",
    ]
    assert [spc._direction(t) for t in types] == [1, 1, 1, 1, -1, -1, -1, 0]


@pytest.mark.parametrize(
    ("improvement", "expected"),
    [
        ("increase", ["consistent_fail", "consistent_pass", "hit_and_miss"]),
        ("decrease", ["consistent_pass", "consistent_fail", "hit_and_miss"]),
        ("neutral", [None, None, None]),
    ],
)
def test_ptd_calculate_assurance_type(improvement, expected):
    """test-ptd_calculate_assurance_type.R: lpl (1, 5, 1), upl (3, 7, 5), target 4 ->
    increase: fail, pass, inconsistent; decrease: pass, fail, inconsistent; neutral: NA."""
    code = IMPROVEMENTS.index(improvement)
    limits = [(1.0, 3.0), (5.0, 7.0), (1.0, 5.0)]
    assert [spc._assurance(4.0, code, lpl, upl) for lpl, upl in limits] == expected


def test_ptd_calculate_assurance_type_no_target():
    """test-ptd_calculate_assurance_type.R, "it returns a column of NA's if there is no
    target"."""
    assert spc._assurance(None, INCREASE, 1.0, 3.0) is None
    assert analyse(RNORM_20).assurance is None


def test_ptd_calculate_assurance_type_rebase():
    """test-ptd_calculate_assurance_type.R, "... when rebase": only the last row's (the last
    group's) limits matter."""
    segment_a = [0, 40, 0, 40, 0, 40, 0, 40]  # mean 20, limits -86.4 .. 126.4
    segment_b = [100, 101, 100, 101, 100, 101, 100, 101]  # mean 100.5, limits 97.84 .. 103.16
    r = analyse(segment_a + segment_b, rebase_at=[8], target=50, improvement="decrease")
    assert r.upper[0] > 50  # inside the first segment's limits ...
    assert r.lower[-1] > 50  # ... but below the last segment's lower limit
    assert r.assurance == "consistent_fail"
    r = analyse(segment_b + segment_a, rebase_at=[8], target=50, improvement="decrease")
    assert r.assurance == "hit_and_miss"


@pytest.mark.parametrize(("n", "expected"), [(11, True), (12, False), (20, False)])
def test_ptd_add_short_group_warnings(n, expected):
    """test-ptd_add_short_group_warnings.R: a group shorter than 12 points is flagged, one of
    exactly 12 is not."""
    assert analyse(RNORM_20[:n]).provisional is expected


def test_ptd_add_short_group_warnings_rebase_groups():
    """test-ptd_add_short_group_warnings.R, "it handles facets and rebase groups": groups of
    35, 5, 20, 20 points - only the 5-point group is short. ``provisional`` reflects the last
    segment (the one variation and assurance come from)."""
    values = (RNORM_20 * 4)[:80]
    assert analyse(values, rebase_at=[35, 40, 60]).provisional is False
    assert analyse(values[:40], rebase_at=[35]).provisional is True
    assert analyse(values, rebase_at=[20, 40, 60]).provisional is False


# --------------------------------------------------------------------------------------------
# Hand-computed examples
# --------------------------------------------------------------------------------------------


def test_hand_computed_limits_outlier_and_two_in_three():
    """12 points: mean 159/12 = 13.25; moving ranges 2,1,2,1,1,19,18,1,1,1,1 (sum 48, AMR
    48/11); 19 and 18 are >= 3.267 * 48/11 = 14.256, so the screened AMR is 11/9."""
    values = [10, 12, 11, 13, 12, 11, 30, 12, 11, 12, 13, 12]
    mean = 159 / 12
    amr = 11 / 9
    r = analyse(values)
    assert r.mean == pytest.approx([mean] * 12, rel=1e-15)
    assert r.upper[0] == pytest.approx(mean + 2.66 * amr, rel=1e-15)  # 16.5011
    assert r.lower[0] == pytest.approx(mean - 2.66 * amr, rel=1e-15)  # 9.9989
    assert r.upper_two_sigma[0] == pytest.approx(mean + 2 * 2.66 / 3 * amr, rel=1e-15)
    assert r.lower_two_sigma[0] == pytest.approx(mean - 2 * 2.66 / 3 * amr, rel=1e-15)  # 11.08
    # 30 is beyond the upper limit; 10 and 11 (points 0 and 2) are close to the lower limit in
    # the window (10, 12, 11), all below the mean: 2 of 3. Point 1 (12) is not close.
    assert special(r) == {
        0: "special_cause_concern",
        2: "special_cause_concern",
        6: "special_cause_improvement",
    }
    assert r.direction == (-1, 0, -1, 0, 0, 0, 1, 0, 0, 0, 0, 0)
    assert r.variation == "common_cause"
    assert r.provisional is False
    # unscreened: AMR 48/11 -> limits 13.25 +/- 11.607, only 30 is special
    r = analyse(values, screen_outliers=False)
    assert r.upper[0] == pytest.approx(mean + 2.66 * 48 / 11, rel=1e-15)
    assert special(r) == {6: "special_cause_improvement"}


def test_hand_computed_no_screening_needed():
    """[1, 2, 3, 2] * 3: mean 2, every moving range 1 (AMR 1, none screened)."""
    r = analyse([1, 2, 3, 2] * 3)
    assert r.mean == (2.0,) * 12
    assert r.upper == (2 + 2.66,) * 12
    assert r.lower == (2 - 2.66,) * 12
    assert r.upper_two_sigma == (2 + LIMIT_CLOSE,) * 12
    assert r.lower_two_sigma == (2 - LIMIT_CLOSE,) * 12
    assert special(r) == {}


def test_trend_flags_all_seven_points_by_direction():
    """An increasing trend of 7 points is improvement (increase) for all 7, including the ones
    below the mean (R/ptd_calculate_point_type.R; NEWS 0.2.2 #171); decreasing is concern."""
    base, tail = [10, 12, 9, 11, 10, 12, 9, 11], [11, 10, 12, 9, 11, 10, 12]
    rising = base + [8, 9, 10, 11, 12, 13, 14] + tail
    r = analyse(rising)
    assert special(r) == {i: "special_cause_improvement" for i in range(8, 15)}
    assert all(rising[i] < r.mean[0] for i in (8, 9, 10))  # below the mean, still improvement
    r = analyse(rising, improvement="decrease")
    assert special(r) == {i: "special_cause_concern" for i in range(8, 15)}
    falling = base + [14, 13, 12, 11, 10, 9, 8] + tail
    r = analyse(falling)
    assert special(r) == {i: "special_cause_concern" for i in range(8, 15)}
    assert r.direction[8:15] == (-1,) * 7


def test_tie_breaks_a_trend():
    base, tail = [10, 12, 9, 11, 10, 12, 9, 11], [11, 10, 12, 9, 11, 10, 12]
    r = analyse(base + [8, 9, 10, 10, 11, 12, 13] + tail)
    assert special(r) == {}


def test_trend_direction_at_a_junction():
    """Package rule for a point in two trends: the step to the next point decides, and a tie
    counts as decreasing: the first 7 of 1..7, 7, 6..1 (last point of the rising trend) is
    'decreasing' (R/ptd_calculate_point_type.R, ptd_special_cause_type)."""
    values = [0, 20, 0, 20, 0, 20] + [1, 2, 3, 4, 5, 6, 7, 7, 6, 5, 4, 3, 2, 1] + [20, 0, 20, 0]
    r = analyse(values)
    assert r.direction[6:20] == (1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1, -1)
    assert special(r) == {
        **{i: "special_cause_improvement" for i in range(6, 12)},
        **{i: "special_cause_concern" for i in range(12, 20)},
    }
    assert r.upper[0] > 20 and r.lower[0] < 0  # no point is beyond a limit


def test_run_of_seven_and_point_on_mean():
    """Points 0..12 are above the mean (exactly 0) except point 6, which is on it: the run is
    broken into 6 + 6 and nothing is flagged. With point 6 above the mean, all 13 are a run."""
    values = [1, 2, 1, 2, 1, 2, 0, 1, 2, 1, 2, 1, 2, -6, 1, -6, 1, -6, 1, -3]
    r = analyse(values)
    assert r.mean == (0.0,) * 20
    assert special(r) == {}
    values = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, -6, 1, -6, 1, -6, 1, -4]
    r = analyse(values)
    assert r.mean == (0.0,) * 20
    assert special(r) == {i: "special_cause_improvement" for i in range(13)}
    assert r.direction[:13] == (1,) * 13


def test_run_below_mean_is_concern_when_increase():
    values = [5, 7, 5, 7, 5, 7, 5, 7] + [3, 4, 3, 4, 3, 4, 3] + [6, 8, 6]
    r = analyse(values)
    assert all(v < r.mean[0] for v in values[8:15])
    assert special(r) == {i: "special_cause_concern" for i in range(8, 15)}
    assert (
        analyse(values, improvement="decrease").point_type[8:15]
        == ("special_cause_improvement",) * 7
    )


# --------------------------------------------------------------------------------------------
# Edge cases
# --------------------------------------------------------------------------------------------


def test_constant_series_screened_has_nan_limits():
    """Difference 1: every moving range is 0 and 0 < 3.267 * 0 is false, so all are dropped
    and the AMR is NaN (R: mean of nothing)."""
    r = analyse([4.0] * 15, target=4.0)
    assert r.mean == (4.0,) * 15
    for line in (r.lower, r.upper, r.lower_two_sigma, r.upper_two_sigma):
        assert all(math.isnan(v) for v in line)
    assert special(r) == {}
    assert r.variation == "common_cause"
    assert r.assurance == "hit_and_miss"


def test_constant_series_unscreened_limits_equal_mean():
    r = analyse([4.0] * 15, screen_outliers=False, target=5)
    assert r.mean == r.lower == r.upper == r.lower_two_sigma == r.upper_two_sigma == (4.0,) * 15
    assert special(r) == {}  # strict comparisons: nothing beyond a limit equal to the value
    assert r.assurance == "consistent_fail"  # target 5 > upper 4, higher is better


def test_zero_amr_after_screening():
    """[0] * 10 + [10]: moving ranges 0 x 9 and 10 (AMR 10/10 = 1); 10 >= 3.267 is dropped and
    the remaining zeros give AMR 0, so the limits equal the mean and every point is beyond."""
    r = analyse([0] * 10 + [10])
    assert r.lower == r.upper == r.mean == (10 / 11,) * 11
    assert special(r) == {
        **{i: "special_cause_concern" for i in range(10)},
        10: ("special_cause_improvement"),
    }
    assert r.variation == "improvement_high"


def test_single_point():
    r = analyse([7.5])
    assert r.n == 1 and r.mean == (7.5,)
    assert all(math.isnan(v[0]) for v in (r.lower, r.upper, r.lower_two_sigma, r.upper_two_sigma))
    assert r.point_type == ("common_cause",)
    assert r.direction == (0,)
    assert r.variation == "common_cause"
    assert r.provisional is True
    assert r.assurance is None
    assert analyse([7.5], target=3).assurance == "hit_and_miss"
    assert analyse([7.5], target=3, improvement="neutral").assurance is None


def test_two_points():
    r = analyse([1, 3])
    assert r.mean == (2.0, 2.0)
    assert r.upper == (2 + 2.66 * 2, 2 + 2.66 * 2)
    assert special(r) == {}


def test_fewer_than_twelve_points_is_analysed_and_provisional():
    values = [5, 9, 5, 9, 5, 9, 30]
    r = analyse(values)
    assert r.provisional is True
    assert r.n == 7
    assert special(r) == {6: "special_cause_improvement"}
    assert r.variation == "improvement_high"
    assert analyse(values, improvement="decrease").variation == "concern_high"


def test_target_equal_to_a_limit_is_hit_and_miss():
    values = [1, 2, 3, 2] * 3  # limits 2 -/+ 2.66, exactly as computed in floating point
    r = analyse(values)
    upper, lower = r.upper[-1], r.lower[-1]
    for improvement in ("increase", "decrease"):
        assert analyse(values, improvement=improvement, target=upper).assurance == "hit_and_miss"
        assert analyse(values, improvement=improvement, target=lower).assurance == "hit_and_miss"
    above, below = np.nextafter(upper, math.inf), np.nextafter(lower, -math.inf)
    assert analyse(values, target=above).assurance == "consistent_fail"
    assert analyse(values, target=below).assurance == "consistent_pass"
    assert analyse(values, target=above, improvement="decrease").assurance == "consistent_pass"
    assert analyse(values, target=below, improvement="decrease").assurance == "consistent_fail"
    assert analyse(values, target=2).assurance == "hit_and_miss"


def test_point_exactly_on_a_limit_is_not_beyond():
    """Mean 0, moving ranges summing to 9 x 50 (none screened), so the limits are
    -/+ fl(2.66 * 50) = -/+ 133 exactly - and the first point is 133."""
    values = [133, 43, -17, -27, 53, 23, -17, -7, -107, -77]
    r = analyse(values)
    assert r.mean[0] == 0.0 and r.upper[0] == 133.0 and r.lower[0] == -133.0
    assert special(r) == {}
    assert r.upper_two_sigma[0] < 133  # it is close to the limit, just not beyond it
    assert analyse([*values[:-1], -76]).upper[0] != 133.0  # (the limit moves with the data)


def test_point_exactly_on_a_two_sigma_line_is_not_close():
    """Mean 0 and AMR 75 (moving ranges sum to 9 x 75): the two-sigma lines are
    -/+ fl(1.7733 * 75) = -/+ 133 exactly. In the window (-133, -160, -40), all below the mean,
    only -160 is strictly between the line and the limit (-199.5), so there is no 2-of-3."""
    values = [181, -35, 9, -133, -160, -40, 14, 66, 48, 50]
    r = analyse(values)
    assert (r.mean[0], r.lower_two_sigma[0], r.lower[0]) == (0.0, -133.0, -199.5)
    assert special(r) == {}
    r = analyse([-v for v in values])  # the mirror image, on the upper line
    assert (r.mean[0], r.upper_two_sigma[0], r.upper[0]) == (0.0, 133.0, 199.5)
    assert special(r) == {}


def test_neutral_improvement():
    values = [4, 8] * 6 + [25]
    r = analyse(values, improvement="neutral", target=100)
    assert special(r) == {12: "special_cause_neutral"}
    assert r.direction[12] == 1
    assert r.variation == "neutral_high"
    assert r.assurance is None
    r = analyse([*values[:-1], -10], improvement="neutral")
    assert special(r) == {12: "special_cause_neutral"}
    assert r.variation == "neutral_low"


def test_neutral_variation_uses_the_trend_direction():
    """Difference 3: a falling trend that ends above the mean is neutral_low."""
    values = [0, 20, 0, 20, 0, 20, 0, 20] + [19, 18, 17, 16, 15, 14, 13]
    r = analyse(values, improvement="neutral")
    assert values[-1] > r.mean[-1]
    assert r.point_type[-8:] == ("special_cause_neutral",) * 8  # 20, 19, ..., 13
    assert r.direction[-8:] == (-1,) * 8
    assert r.variation == "neutral_low"
    assert analyse(values).variation == "concern_low"
    assert analyse(values, improvement="decrease").variation == "improvement_low"


def test_rebase_statistics_per_segment():
    a = [10, 12, 11, 13, 12, 11, 10, 12, 11, 13, 12, 11]
    b = [30, 33, 31, 35, 32, 30, 34, 31, 33, 32]
    r = analyse(a + b, rebase_at=[12])
    ra, rb = analyse(a), analyse(b)
    assert r.segment == (0,) * 12 + (1,) * 10
    assert r.mean == ra.mean + rb.mean
    assert r.lower == ra.lower + rb.lower
    assert r.upper == ra.upper + rb.upper
    assert r.upper_two_sigma == ra.upper_two_sigma + rb.upper_two_sigma
    assert r.point_type == ra.point_type + rb.point_type
    assert r.variation == rb.variation
    assert r.provisional is True  # the last segment has 10 points
    # without the rebase the step is special cause
    assert special(analyse(a + b))


def test_run_spanning_a_rebase_is_not_flagged():
    values = [1, -1, 1, -1, 2, 2, 2] + [2, 2, 2, 2, -1, 1, -1, 1]
    assert special(analyse(values)) == {i: "special_cause_improvement" for i in range(4, 11)}
    r = analyse(values, rebase_at=[7])
    assert special(r) == {}
    assert r.segment == (0,) * 7 + (1,) * 8


def test_rebase_at_zero_changes_nothing():
    assert analyse(RNORM_20, rebase_at=[0]) == analyse(RNORM_20)
    assert analyse(RNORM_20, rebase_at=[0, 10]) == analyse(RNORM_20, rebase_at=[10])


def test_negative_values():
    values = [-v for v in [10, 12, 11, 13, 12, 11, 30, 12, 11, 12, 13, 12]]
    r = analyse(values)
    mean, amr = -159 / 12, 11 / 9
    assert r.mean[0] == pytest.approx(mean, rel=1e-15)
    assert r.lower[0] == pytest.approx(mean - 2.66 * amr, rel=1e-15)
    assert r.upper[0] == pytest.approx(mean + 2.66 * amr, rel=1e-15)
    assert special(r) == {
        0: "special_cause_improvement",
        2: "special_cause_improvement",
        6: "special_cause_concern",
    }
    assert (
        analyse(values, improvement="decrease").point_type
        == analyse([-v for v in values]).point_type
    )


def test_very_large_values():
    base = [10, 12, 11, 13, 12, 11, 30, 12, 11, 12, 13, 12]
    values = [1e12 + v * 1e6 for v in base]
    r = analyse(values)
    assert r.mean[0] == pytest.approx(1e12 + 13.25e6, rel=1e-12)
    assert r.upper[0] - r.mean[0] == pytest.approx(2.66 * 11 / 9 * 1e6, rel=1e-9)
    assert special(r) == special(analyse(base))
    assert analyse([v * 1e12 for v in base]).point_type == analyse(base).point_type


def test_decimal_and_numpy_inputs():
    values = [Decimal("1.5"), Decimal("2.5"), Decimal("2"), 3, np.float32(2.5)]
    r = analyse(values)
    assert r.mean[0] == pytest.approx(2.3)
    assert analyse(np.array([1, 2, 3])) == analyse([1.0, 2.0, 3.0])
    assert analyse((1, 2, 3), target=np.int64(2)).target == 2.0


def test_result_fields_and_types():
    r = analyse(RNORM_20, improvement="decrease", target=1)
    for field in ("mean", "lower", "upper", "upper_two_sigma", "lower_two_sigma"):
        value = getattr(r, field)
        assert isinstance(value, tuple) and len(value) == 20
        assert all(type(v) is float for v in value)
    assert all(isinstance(p, str) for p in r.point_type)
    assert all(type(d) is int for d in r.direction)
    assert r.improvement == "decrease" and r.target == 1.0
    assert r.n == 20


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": []}, "at least one point"),
        ({"values": [1, math.nan, 2]}, r"values\[1\] must be finite"),
        ({"values": [1, math.inf]}, r"values\[1\] must be finite"),
        ({"values": np.array([1.0, -np.inf])}, r"values\[1\] must be finite"),
        ({"values": np.array([[1.0, 2.0]])}, "one-dimensional"),
        ({"values": [1, None]}, "real number"),
        ({"values": [1, "2"]}, "real number"),
        ({"values": [True, False]}, "real number"),
        ({"values": "123"}, "not a string"),
        ({"values": 5}, "sequence of numbers"),
        ({"values": [1, 2], "improvement": "up"}, "improvement must be one of"),
        ({"values": [1, 2], "improvement": None}, "improvement must be one of"),
        ({"values": [1, 2], "target": math.nan}, "target must be finite"),
        ({"values": [1, 2], "target": "3"}, "target must be a real number"),
        ({"values": [1, 2, 3], "rebase_at": [3]}, "out of range"),
        ({"values": [1, 2, 3], "rebase_at": [-1]}, "out of range"),
        ({"values": [1, 2, 3], "rebase_at": [2, 1]}, "strictly increasing"),
        ({"values": [1, 2, 3], "rebase_at": [1, 1]}, "strictly increasing"),
        ({"values": [1, 2, 3], "rebase_at": [1.0]}, "integer indexes"),
        ({"values": [1, 2, 3], "rebase_at": 1}, "sequence of point indexes"),
        ({"values": [1e308, 1e308]}, "overflow"),
    ],
)
def test_validation(kwargs, message):
    values = kwargs.pop("values")
    with pytest.raises(ValueError, match=message):
        analyse(values, **kwargs)


def test_rebase_accepts_numpy_integers():
    assert analyse(RNORM_20, rebase_at=np.array([10])).segment[10] == 1


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

integer_series = st.lists(st.integers(-40, 40), min_size=1, max_size=50)
varied_series = st.one_of(
    integer_series,
    st.lists(st.integers(0, 3), min_size=1, max_size=50),  # many ties, points on the mean
    st.lists(
        st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=32),
        min_size=1,
        max_size=40,
    ),
)
improvements = st.sampled_from(IMPROVEMENTS)
PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
SWAP_TYPES = {
    "special_cause_improvement": "special_cause_concern",
    "special_cause_concern": "special_cause_improvement",
    "common_cause": "common_cause",
}
SWAP_VARIATIONS = {
    "improvement_high": "concern_high",
    "improvement_low": "concern_low",
    "concern_high": "improvement_high",
    "concern_low": "improvement_low",
    "common_cause": "common_cause",
}
SWAP_ASSURANCES = {
    "consistent_pass": "consistent_fail",
    "consistent_fail": "consistent_pass",
    "hit_and_miss": "hit_and_miss",
    None: None,
}


@PROPERTY_SETTINGS
@given(values=varied_series, improvement=improvements)
def test_property_lengths_preserved(values, improvement):
    r = analyse(values, improvement=improvement)
    assert r.n == len(values)
    for field in (
        "mean",
        "lower",
        "upper",
        "upper_two_sigma",
        "lower_two_sigma",
        "point_type",
        "segment",
        "direction",
    ):
        assert len(getattr(r, field)) == len(values)
    assert set(r.point_type) <= set(POINT_TYPES)
    assert r.variation in VARIATIONS
    assert r.provisional is (len(values) < 12)


@PROPERTY_SETTINGS
@given(values=varied_series, screen=st.booleans())
def test_property_limits_symmetric_and_ordered(values, screen):
    r = analyse(values, screen_outliers=screen)
    for m, lo, up, lo2, up2 in zip(
        r.mean, r.lower, r.upper, r.lower_two_sigma, r.upper_two_sigma, strict=True
    ):
        if math.isnan(up):
            assert math.isnan(lo) and math.isnan(lo2) and math.isnan(up2)
            continue
        assert lo <= lo2 <= m <= up2 <= up
        assert (up - m) == pytest.approx(m - lo, rel=1e-9, abs=1e-9 * max(1.0, abs(m)))
        assert (up2 - m) == pytest.approx(m - lo2, rel=1e-9, abs=1e-9 * max(1.0, abs(m)))


@PROPERTY_SETTINGS
@given(
    values=integer_series,
    exponent=st.integers(-12, 12),
    improvement=improvements,
    target=st.none() | st.integers(-50, 50),
)
def test_property_scaling_by_powers_of_two(values, exponent, improvement, target):
    k = 2.0**exponent
    r = analyse(values, improvement=improvement, target=target)
    scaled_target = None if target is None else target * k
    s = analyse([v * k for v in values], improvement=improvement, target=scaled_target)
    for field in ("mean", "lower", "upper", "upper_two_sigma", "lower_two_sigma"):
        expected = [v * k for v in getattr(r, field)]
        assert np.array_equal(getattr(s, field), expected, equal_nan=True)
    assert s.point_type == r.point_type
    assert s.direction == r.direction
    assert s.variation == r.variation
    assert s.assurance == r.assurance


@PROPERTY_SETTINGS
@given(values=varied_series, target=st.none() | st.integers(-50, 50))
def test_property_reversing_improvement_swaps_improvement_and_concern(values, target):
    inc = analyse(values, improvement="increase", target=target)
    dec = analyse(values, improvement="decrease", target=target)
    neu = analyse(values, improvement="neutral", target=target)
    assert dec.point_type == tuple(SWAP_TYPES[p] for p in inc.point_type)
    assert dec.variation == SWAP_VARIATIONS[inc.variation]
    assert dec.assurance == SWAP_ASSURANCES[inc.assurance]
    assert inc.direction == dec.direction == neu.direction
    assert neu.point_type == tuple(
        "common_cause" if p == "common_cause" else "special_cause_neutral" for p in inc.point_type
    )
    assert neu.variation == (
        "common_cause"
        if inc.variation == "common_cause"
        else ("neutral_high" if inc.variation.endswith("_high") else "neutral_low")
    )
    assert neu.assurance is None
    assert inc.mean == dec.mean
    assert np.array_equal(inc.upper, dec.upper, equal_nan=True)


@st.composite
def series_with_rebase(draw):
    values = draw(st.lists(st.integers(-20, 20), min_size=2, max_size=60))
    cuts = draw(st.lists(st.integers(1, len(values) - 1), max_size=4, unique=True))
    return values, sorted(cuts)


@PROPERTY_SETTINGS
@given(data=series_with_rebase(), improvement=improvements, target=st.none() | st.integers(-30, 30))
def test_property_rebase_is_independent_segments(data, improvement, target):
    values, cuts = data
    r = analyse(values, improvement=improvement, target=target, rebase_at=cuts)
    bounds = [0, *cuts, len(values)]
    parts = [
        analyse(values[a:b], improvement=improvement, target=target)
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    for field in ("mean", "lower", "upper", "upper_two_sigma", "lower_two_sigma"):
        joined = [v for part in parts for v in getattr(part, field)]
        assert np.array_equal(getattr(r, field), joined, equal_nan=True)
    for field in ("point_type", "direction"):
        assert getattr(r, field) == tuple(v for part in parts for v in getattr(part, field))
    assert r.segment == tuple(k for k, part in enumerate(parts) for _ in range(part.n))
    assert r.variation == parts[-1].variation
    assert r.assurance == parts[-1].assurance
    assert r.provisional == parts[-1].provisional


# --------------------------------------------------------------------------------------------
# Rule profiles
# --------------------------------------------------------------------------------------------

# Mean 0.9, process limits -5.45 / 7.25, two-sigma lines -3.34 / 5.14 (screened AMR 2.389):
# point 10 (12) is beyond the upper limit, point 11 (6) beyond the upper two-sigma line only,
# and points 10-12 (12, 6, 1) all lie above the mean.
BEYOND_THREE_THEN_TWO = [1.0, -1.0] * 5 + [12.0, 6.0] + [1.0, -1.0] * 4


def test_rules_mdc_counts_a_point_beyond_three_sigma_towards_two_of_three():
    nhsr = analyse(BEYOND_THREE_THEN_TWO)
    mdc = analyse(BEYOND_THREE_THEN_TWO, rules="mdc")
    assert nhsr.upper_two_sigma[0] < 6.0 < nhsr.upper[0] < 12.0
    assert special(nhsr) == {10: "special_cause_improvement"}
    assert special(mdc) == {10: "special_cause_improvement", 11: "special_cause_improvement"}
    assert mdc.mean == nhsr.mean and mdc.upper == nhsr.upper  # only the rule changes


def test_rules_default_is_nhsrplotthedots():
    assert analyse(BEYOND_THREE_THEN_TWO) == analyse(BEYOND_THREE_THEN_TWO, rules="nhsrplotthedots")


def test_rules_mdc_needs_three_points_on_one_side():
    values = list(BEYOND_THREE_THEN_TWO)
    values[12] = -1.0  # the window 10-12 now crosses the mean; 9-11 did already
    assert special(analyse(values, rules="mdc")) == {10: "special_cause_improvement"}


@pytest.mark.parametrize("rules", ["MDC", "", None, "nhsr"])
def test_rules_unknown_profile(rules):
    with pytest.raises(ValueError, match="rules must be one of"):
        analyse([1.0, 2.0, 3.0], rules=rules)
