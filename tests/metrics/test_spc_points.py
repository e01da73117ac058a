"""The special-cause rules against given limits agree with the XmR engine's."""

import numpy as np
import pytest

from metrics import spc
from metrics.spc_points import classify


def _limits(result: spc.SPCResult) -> dict:
    return {
        "centre": result.mean,
        "ll95": result.lower_two_sigma,
        "ul95": result.upper_two_sigma,
        "ll99": result.lower,
        "ul99": result.upper,
    }


@pytest.mark.parametrize("rules", spc.RULES)
@pytest.mark.parametrize("improvement", spc.IMPROVEMENTS)
def test_classify_matches_analyse_on_its_own_limits(rules, improvement):
    rng = np.random.default_rng(23)
    for _ in range(200):
        n = int(rng.integers(2, 40))
        values = np.round(rng.normal(10, 2, n) + np.linspace(0, rng.normal(0, 4), n), 1)
        rebase = [int(rng.integers(1, n))] if n > 4 and rng.random() < 0.3 else []
        target = float(rng.normal(10, 4))
        result = spc.analyse(
            values, improvement=improvement, target=target, rebase_at=rebase, rules=rules
        )
        got = classify(
            values,
            _limits(result),
            improvement=improvement,
            target=target,
            segments=result.segment,
            rules=rules,
        )
        assert got.point_type == result.point_type
        assert got.variation == result.variation
        assert got.assurance == result.assurance


def test_per_point_limits_flag_only_the_point_beyond_its_own_limit():
    limits = {
        "centre": [0.5] * 4,
        "ll95": [0.4, 0.3, 0.4, 0.3],
        "ul95": [0.6, 0.7, 0.6, 0.7],
        "ll99": [0.35, 0.2, 0.35, 0.2],
        "ul99": [0.65, 0.8, 0.65, 0.8],
    }
    got = classify([0.5, 0.75, 0.7, 0.5], limits, improvement="decrease")
    assert got.point_type == (
        "common_cause",
        "common_cause",
        "special_cause_concern",
        "common_cause",
    )
    assert got.variation == "common_cause"


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="one value per point"):
        classify([1, 2], {k: [1] for k in ("centre", "ll95", "ul95", "ll99", "ul99")})
    with pytest.raises(ValueError, match="rules"):
        classify([1], {k: [1] for k in ("centre", "ll95", "ul95", "ll99", "ul99")}, rules="x")
