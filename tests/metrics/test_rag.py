"""RAG against the target in force for the latest period."""

import datetime as dt

import pytest

from metrics.snapshots import rag_rating, target_in_force

UP, DOWN, NEUTRAL = "higher_is_better", "lower_is_better", "neutral"


@pytest.mark.parametrize(
    ("value", "target", "polarity", "expected"),
    [
        (90.0, 90.0, UP, "green"),  # meeting the target exactly is green
        (91.0, 90.0, UP, "green"),
        (85.5, 90.0, UP, "amber"),  # missed by exactly 5% of the target
        (85.4, 90.0, UP, "red"),
        (44.4, 44.4, DOWN, "green"),
        (40.0, 44.4, DOWN, "green"),
        (46.62, 44.4, DOWN, "amber"),
        (46.7, 44.4, DOWN, "red"),
        (5.0, 5.0, NEUTRAL, "grey"),  # no direction, no RAG
        (5.0, None, UP, "grey"),  # no target
        (None, 5.0, UP, "grey"),  # no value
        (-10.5, -10.0, UP, "amber"),  # negative targets use the magnitude for the band
        (-11.0, -10.0, UP, "red"),
    ],
)
def test_rag(value, target, polarity, expected):
    assert rag_rating(value=value, target=target, polarity=polarity, tolerance=0.05) == expected


def test_tolerance_is_per_metric():
    assert rag_rating(value=80, target=90, polarity=UP, tolerance=0.2) == "amber"
    assert rag_rating(value=89.9, target=90, polarity=UP, tolerance=0.0) == "red"


def test_target_in_force_is_the_one_whose_period_contains_the_latest_period():
    fy = [
        (dt.date(2018, 4, 1), dt.date(2019, 3, 31), 89.0, "2018/19"),
        (dt.date(2019, 4, 1), dt.date(2020, 3, 31), 90.0, "2019/20"),
    ]
    assert target_in_force(fy, dt.date(2019, 3, 31))[3] == "2018/19"
    assert target_in_force(fy, dt.date(2019, 4, 1))[3] == "2019/20"
    assert target_in_force(fy, dt.date(2020, 4, 1)) is None
    assert target_in_force(fy, None) is None
