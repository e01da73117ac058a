"""``metrics.spc.analyse_many`` gives the same results as ``analyse``, series by series.

Thousands of random series of lengths 1-150 and many shapes (noise, steps, trends, seasonal,
integer-valued with ties and points on the mean, constant, huge, negative), mixed improvement
directions and targets (including targets exactly equal to a limit). Means and limits must be
bit-identical (stronger than the 1e-9 relative tolerance asked for), so classifications of
points lying exactly on a line agree too.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from metrics import spc
from metrics.spc import (
    ASSURANCES,
    IMPROVEMENTS,
    MIN_POINTS,
    NO_ASSURANCE,
    PADDING,
    POINT_TYPES,
    VARIATIONS,
    SPCBatchResult,
    SPCResult,
    analyse,
    analyse_many,
)

MAX_LEN = 150
N_SERIES = 3_100
KINDS = (
    "noise",
    "step",
    "trend",
    "zigzag_trend",
    "seasonal",
    "small_integers",
    "binary",
    "constant",
    "walk",
    "huge",
    "negative",
    "outliers",
)


def _series(rng: np.random.Generator, kind: str, n: int) -> np.ndarray:
    t = np.arange(n)
    if kind == "noise":
        return rng.normal(rng.uniform(-100, 100), rng.uniform(0.1, 10), n)
    if kind == "step":
        x = rng.normal(0, 1, n)
        return x + (t >= rng.integers(0, n + 1)) * rng.uniform(-5, 5)
    if kind == "trend":
        return rng.normal(0, 1, n) + t * rng.uniform(-0.5, 0.5)
    if kind == "zigzag_trend":  # strictly monotone stretches of random length, often 6-8
        steps = rng.choice([-1.0, 1.0]) * rng.integers(1, 4, n)
        flips = rng.random(n) < 0.12
        signs = np.cumprod(np.where(flips, -1.0, 1.0))
        return np.cumsum(steps * signs)
    if kind == "seasonal":
        return 10 + 3 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.5, n)
    if kind == "small_integers":  # many ties and points exactly on the mean
        return rng.integers(0, 4, n).astype(float)
    if kind == "binary":
        return (rng.random(n) < rng.uniform(0.1, 0.9)).astype(float)
    if kind == "constant":
        return np.full(n, float(rng.integers(-5, 5)))
    if kind == "walk":
        return np.cumsum(rng.integers(-2, 3, n)).astype(float)
    if kind == "huge":
        return 1e12 + rng.integers(-1000, 1000, n) * 1e6
    if kind == "negative":
        return -np.abs(rng.normal(50, 20, n))
    if kind == "outliers":
        x = rng.normal(0, 1, n)
        x[rng.random(n) < 0.05] += rng.choice([-1, 1]) * 20
        return x
    raise AssertionError(kind)


# Hand-made series that put points exactly on lines, in the junction of two trends, etc.
EDGE_SERIES = [
    [181, -35, 9, -133, -160, -40, 14, 66, 48, 50],  # a point exactly on the lower 2-sigma line
    [-181, 35, -9, 133, 160, 40, -14, -66, -48, -50],  # ... and on the upper one
    [133, 43, -17, -27, 53, 23, -17, -7, -107, -77],  # a point exactly on the upper limit
    [0, 20, 0, 20, 0, 20, 1, 2, 3, 4, 5, 6, 7, 7, 6, 5, 4, 3, 2, 1, 20, 0, 20, 0],  # junction
    [1, 2, 1, 2, 1, 2, 0, 1, 2, 1, 2, 1, 2, -6, 1, -6, 1, -6, 1, -3],  # point on the mean
    [0] * 10 + [10],  # AMR 0 after screening
    [4.0] * 15,  # constant
    [7.5],
    [1, 3],
    [10, 12, 11, 13, 12, 11, 30, 12, 11, 12, 13, 12],  # outlier moving ranges, 2 of 3
]


def _edge_cases():
    cases = []
    for values in EDGE_SERIES:
        base = analyse(values)
        for improvement in IMPROVEMENTS:
            for target in (None, base.upper[-1], base.lower[-1], base.mean[-1]):
                cases.append((np.array(values, dtype=float), improvement, target))
    return cases


def _length(rng: np.random.Generator) -> int:
    if rng.random() < 0.15:
        return int(rng.choice([1, 2, 3, 6, 7, 8, 11, 12, 13]))
    return int(rng.integers(1, MAX_LEN + 1))


def _cases(seed: int, count: int):
    """(values, improvement, target) triples; a fifth of the targets sit exactly on a limit."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        values = _series(rng, str(rng.choice(KINDS)), _length(rng))
        improvement = str(rng.choice(IMPROVEMENTS))
        mode = rng.choice(["none", "nan", "random", "mean", "upper", "lower"])
        target: float | None
        if mode == "none":
            target = None
        elif mode == "nan":
            target = math.nan
        elif mode == "random":
            target = float(values.mean() + rng.normal(0, 3) * (values.std() + 1))
        else:
            base = analyse(values)
            target = {"mean": base.mean, "upper": base.upper, "lower": base.lower}[mode][-1]
            if math.isnan(target):
                target = None
        cases.append((values, improvement, target))
    return cases + _edge_cases()


def _matrix(cases, fill: float = math.nan) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.array([len(v) for v, _, _ in cases])
    matrix = np.full((len(cases), MAX_LEN), fill)
    for i, (values, _, _) in enumerate(cases):
        matrix[i, : len(values)] = values
    return matrix, lengths


def _single(values, improvement, target) -> SPCResult:
    no_target = target is None or math.isnan(target)
    return analyse(values, improvement=improvement, target=None if no_target else target)


def _same_floats(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Bit-for-bit equal values (NaN equal to NaN)."""
    if len(a) != len(b):
        return False
    return all(x == y or (x != x and y != y) for x, y in zip(a, b, strict=True))


def assert_same(got: SPCResult, want: SPCResult, where: str = "") -> None:
    for field in ("mean", "lower", "upper", "upper_two_sigma", "lower_two_sigma"):
        a, b = getattr(got, field), getattr(want, field)
        assert _same_floats(a, b), f"{where} {field}: {a} != {b}"
    for field in (
        "point_type",
        "direction",
        "variation",
        "assurance",
        "provisional",
        "segment",
        "n",
        "improvement",
        "target",
    ):
        assert getattr(got, field) == getattr(want, field), f"{where} {field}"


def assert_close_arrays(batch: SPCBatchResult, singles: list[SPCResult]) -> None:
    """The brief's tolerance (1e-9 relative) on the batch arrays, all series at once."""
    for field in ("mean", "lower", "upper", "upper_two_sigma", "lower_two_sigma"):
        want = np.array([getattr(r, field)[-1] for r in singles])
        np.testing.assert_allclose(getattr(batch, field), want, rtol=1e-9, atol=0)


@pytest.fixture(scope="module")
def cases():
    return _cases(seed=20240601, count=N_SERIES)


@pytest.fixture(scope="module")
def singles(cases):
    return [_single(*case) for case in cases]


def _run(cases, **kwargs) -> SPCBatchResult:
    matrix, lengths = _matrix(cases)
    return analyse_many(
        matrix,
        improvement=[imp for _, imp, _ in cases],
        targets=[t for _, _, t in cases],
        **kwargs,
    )


def test_cases_cover_the_interesting_situations(cases, singles):
    """The random cases really exercise every rule and outcome."""
    assert len(cases) >= 3000
    types = {p for r in singles for p in r.point_type}
    assert types == set(POINT_TYPES)
    assert {r.variation for r in singles} == set(VARIATIONS)
    assert {r.assurance for r in singles} == {*ASSURANCES, None}
    assert any(r.provisional for r in singles) and not all(r.provisional for r in singles)
    assert any(r.n == 1 for r in singles) and any(r.n == MAX_LEN for r in singles)
    on_mean = sum(
        v == r.mean[0] for (values, _, _), r in zip(cases, singles, strict=True) for v in values
    )
    assert on_mean > 100
    on_limit = sum(
        t is not None and (t == r.upper[-1] or t == r.lower[-1])
        for (_, _, t), r in zip(cases, singles, strict=True)
    )
    assert on_limit > 300


def test_analyse_many_equals_analyse_nan_padding(cases, singles):
    """NaN-padded rows, lengths inferred."""
    batch = _run(cases)
    assert len(batch) == len(cases)
    for i, want in enumerate(singles):
        assert_same(batch.result(i), want, where=f"series {i}")
    assert_close_arrays(batch, singles)


def test_analyse_many_equals_analyse_explicit_lengths(cases, singles):
    """Explicit lengths: whatever lies past a series' end is ignored."""
    matrix, lengths = _matrix(cases, fill=1e300)
    batch = analyse_many(
        matrix,
        improvement=np.array([imp for _, imp, _ in cases]),
        targets=np.array([math.nan if t is None else t for _, _, t in cases]),
        lengths=lengths,
    )
    for i, want in enumerate(singles):
        assert_same(batch.result(i), want, where=f"series {i}")
    assert_close_arrays(batch, singles)


def test_arrays_match_results(cases, singles):
    batch = _run(cases)
    n = len(cases)
    assert batch.point_type.shape == batch.direction.shape == (n, MAX_LEN)
    assert batch.point_type.dtype == batch.direction.dtype == np.int8
    for name in ("mean", "lower", "upper", "upper_two_sigma", "lower_two_sigma", "targets"):
        assert getattr(batch, name).shape == (n,) and getattr(batch, name).dtype == np.float64
    assert batch.variation.dtype == batch.assurance.dtype == batch.improvement.dtype == np.int8
    for i, want in enumerate(singles):
        length = want.n
        assert batch.lengths[i] == length
        assert np.array_equal(batch.mean[i], want.mean[-1], equal_nan=True)
        assert np.array_equal(batch.upper[i], want.upper[-1], equal_nan=True)
        assert [POINT_TYPES[c] for c in batch.point_type[i, :length]] == list(want.point_type)
        assert (batch.point_type[i, length:] == PADDING).all()
        assert (batch.direction[i, length:] == 0).all()
        assert VARIATIONS[batch.variation[i]] == want.variation
        code = batch.assurance[i]
        assert (None if code == NO_ASSURANCE else ASSURANCES[code]) == want.assurance
        assert IMPROVEMENTS[batch.improvement[i]] == want.improvement
    assert (batch.provisional == (batch.lengths < MIN_POINTS)).all()
    assert batch.variation_labels() == [r.variation for r in singles]
    assert batch.assurance_labels() == [r.assurance for r in singles]
    assert [r.point_type for r in batch.results()] == [r.point_type for r in singles]
    for array in (batch.mean, batch.point_type, batch.variation, batch.lengths):
        assert not array.flags.writeable


@pytest.mark.parametrize("chunk", [1, 7, 64])
def test_block_boundaries_do_not_matter(cases, monkeypatch, chunk):
    """Small blocks (including blocks of a single series, which NumPy would otherwise sum
    pairwise) give exactly the default result."""
    subset = cases[:300]
    default = _run(subset)
    monkeypatch.setattr(spc, "_CHUNK", chunk)
    small = _run(subset)
    for name in ("mean", "lower", "upper", "upper_two_sigma", "lower_two_sigma"):
        assert np.array_equal(getattr(small, name), getattr(default, name), equal_nan=True)
    for name in ("point_type", "direction", "variation", "assurance", "lengths"):
        assert np.array_equal(getattr(small, name), getattr(default, name))


@pytest.mark.parametrize("improvement", IMPROVEMENTS)
def test_single_improvement_for_all(cases, improvement):
    subset = cases[:600]
    matrix, lengths = _matrix(subset)
    batch = analyse_many(matrix, improvement=improvement, lengths=lengths)
    for i, (values, _, _) in enumerate(subset):
        assert_same(batch.result(i), analyse(values, improvement=improvement), f"series {i}")


def test_without_screening(cases):
    subset = cases[:600]
    batch = _run(subset, screen_outliers=False)
    for i, (values, improvement, target) in enumerate(subset):
        want = analyse(
            values,
            improvement=improvement,
            target=None if target is None or math.isnan(target) else target,
            screen_outliers=False,
        )
        assert_same(batch.result(i), want, f"series {i}")


def test_one_series_and_a_narrow_last_block(cases):
    values, improvement, target = cases[0]
    batch = analyse_many([values], improvement=improvement, targets=[target])
    assert_same(batch.result(0), _single(values, improvement, target))
    # 1,025 full-length series: the last block holds a single series
    rng = np.random.default_rng(7)
    matrix = rng.normal(size=(1025, 40)) * 10.0 ** rng.integers(-3, 4, size=(1025, 1))
    batch = analyse_many(matrix)
    for i in (0, 1023, 1024):
        assert_same(batch.result(i), analyse(matrix[i]), f"series {i}")


@pytest.mark.parametrize("width", [1, 2, 3, 6, 7, 8, 9, 13])
def test_narrow_matrices(width):
    """Matrices as narrow as the rules' windows (a 7-point run or trend filling the matrix)."""
    rng = np.random.default_rng(width)
    kinds = ("small_integers", "binary", "zigzag_trend", "noise", "constant")
    cases = [(_series(rng, kinds[i % 5], width), IMPROVEMENTS[i % 3], None) for i in range(250)]
    cases += [(np.arange(width, dtype=float), "increase", None)]  # a trend filling the row
    cases += [(np.r_[np.zeros(width - 1), 1.0], "decrease", None)]  # a run, then one above
    matrix = np.array([values for values, _, _ in cases])
    lengths = rng.integers(1, width + 1, size=len(cases))
    lengths[-2:] = width
    batch = analyse_many(matrix, improvement=[imp for _, imp, _ in cases], lengths=lengths)
    for i, (values, improvement, _) in enumerate(cases):
        want = analyse(values[: lengths[i]], improvement=improvement)
        assert_same(batch.result(i), want, f"series {i}")
    if width >= 7:  # every point of the trend is special (the ends beyond the limits, too)
        assert "common_cause" not in batch.result(len(cases) - 2).point_type


def test_other_inputs():
    ints = np.array([[1, 2, 3, 2, 1, 2], [5, 5, 5, 6, 5, 5]])
    batch = analyse_many(ints)
    assert_same(batch.result(1), analyse([5, 5, 5, 6, 5, 5]))
    lists = analyse_many([[1.0, 2.0, math.nan], [3.0, 1.0, 2.0]], targets=[2, None])
    assert list(lists.lengths) == [2, 3]
    assert_same(lists.result(0), analyse([1.0, 2.0], target=2))
    empty = analyse_many(np.empty((0, 5)))
    assert len(empty) == 0 and empty.point_type.shape == (0, 5)
    assert empty.variation_labels() == [] and list(empty.results()) == []
    with pytest.raises(IndexError):
        batch.result(2)
    assert_same(batch.result(-1), batch.result(1))


@pytest.mark.parametrize(
    ("matrix", "kwargs", "message"),
    [
        (np.array([1.0, 2.0]), {}, "must be 2-D"),
        (np.array([[True, False]]), {}, "real numbers"),
        (np.array([["1", "2"]]), {}, "real numbers"),
        (np.array([[1.0, math.nan, 2.0]]), {}, "NaN before its last value"),
        (np.array([[math.nan, math.nan]]), {}, "empty"),
        (np.array([[1.0, math.inf]]), {}, "NaN or infinite"),
        (np.array([[1.0, math.nan, 2.0]]), {"lengths": [3]}, "NaN or infinite"),
        (np.array([[1e308, 1e308]]), {}, "overflow"),
        (np.ones((2, 3)), {"lengths": [3, 0]}, "between 1 and 3"),
        (np.ones((2, 3)), {"lengths": [3, 4]}, "between 1 and 3"),
        (np.ones((2, 3)), {"lengths": [3]}, "2 integers"),
        (np.ones((2, 3)), {"lengths": [3.0, 2.0]}, "2 integers"),
        (np.ones((2, 0)), {}, "at least one point"),
        (np.ones((2, 3)), {"improvement": "better"}, "improvement must be one of"),
        (np.ones((2, 3)), {"improvement": ["increase"]}, "1 entries for 2 series"),
        (np.ones((2, 3)), {"improvement": ["increase", "up"]}, "got 'up'"),
        (np.ones((2, 3)), {"improvement": 3}, "improvement must be one of"),
        (np.ones((2, 3)), {"targets": [1.0]}, "1 entries for 2 series"),
        (np.ones((2, 3)), {"targets": np.array([1.0, np.inf])}, "finite"),
        (np.ones((2, 3)), {"targets": [1.0, "x"]}, "real number"),
        (np.ones((2, 3)), {"targets": 5}, "sequence"),
    ],
)
def test_validation(matrix, kwargs, message):
    with pytest.raises(ValueError, match=message):
        analyse_many(matrix, **kwargs)


def test_input_matrix_is_not_modified(cases):
    matrix, lengths = _matrix(cases[:50], fill=7.0)
    before = matrix.copy()
    analyse_many(matrix, lengths=lengths)
    assert np.array_equal(matrix, before)
    row = matrix[:1].copy()
    analyse_many(row, lengths=[3])  # a single row's transpose is contiguous: still a copy
    assert np.array_equal(row, before[:1])


def test_analyse_many_equals_analyse_mdc_rules(cases):
    """The "mdc" rule profile gives the same results in both paths."""
    batch = _run(cases, rules="mdc")
    changed = 0
    for i, (values, improvement, target) in enumerate(cases):
        no_target = target is None or math.isnan(target)
        want = analyse(
            values, improvement=improvement, target=None if no_target else target, rules="mdc"
        )
        assert_same(batch.result(i), want, where=f"series {i}")
        changed += want.point_type != _single(values, improvement, target).point_type
    assert changed > 10  # the profile matters on these cases


def test_analyse_many_unknown_rules():
    with pytest.raises(ValueError, match="rules must be one of"):
        analyse_many(np.ones((2, 3)), rules="westgard")
