"""Benchmark of the SPC engine (``metrics.spc``): ``analyse_many`` against a NumPy floor and
against calling ``analyse`` once per series.

Run from the project root::

    python bench/bench_spc.py [--series N] [--points M] [--sample S] [--repeats R]

Defaults: 100,000 series x 120 points, per-series sample 2,000, 5 repeats, fixed seed. The
synthetic series mix noise, seasonality, level steps and trends (all series are full length).
In one run it times

(a) the floor: NumPy mean and mean moving range of every series (``X.mean(axis=1)`` and
    ``np.abs(np.diff(X, axis=1)).mean(axis=1)``) - the least any XmR engine has to compute;
(b) ``analyse_many`` over the whole matrix;
(c) ``analyse`` called series by series on the first S series; the time per series is
    extrapolated to N series.

(a) and (b) are repeated R times (interleaved) and their medians used. It prints a Markdown
section and appends it to ``bench/RESULTS.md``, with PASS/FAIL for the targets
``analyse_many <= 3 x floor`` and ``analyse_many >= 5 x faster than per-series analyse``.

A second section times ``control_limits_many`` for every chart type (``metrics.spc.CHARTS``) on
the same N x M shape against a plain NumPy floor that computes the same six per-point arrays
(values, centre, 95% and 99.8% limits) with whole-array expressions and nothing else: no
validation, no lengths, no blocking (``limits_floor``); each pair is interleaved R times and
checked equal before timing; target ``control_limits_many <= 3 x floor`` per chart.
``--charts`` picks a subset (``--charts none`` skips the section). No Django needed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from metrics.spc import CHARTS, analyse, analyse_many, control_limits_many  # noqa: E402

SEED = 20240601
FLOOR_TARGET = 3.0  # analyse_many / floor must be <= this
SPEEDUP_TARGET = 5.0  # per-series analyse / analyse_many must be >= this


def make_series(n_series: int, n_points: int, seed: int = SEED) -> np.ndarray:
    """Synthetic monthly-style series: level + noise + seasonality + steps + trends."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_points, dtype=np.float64)
    level = rng.uniform(50.0, 5000.0, size=(n_series, 1))
    scale = level * rng.uniform(0.01, 0.1, size=(n_series, 1))
    x = level + scale * rng.standard_normal((n_series, n_points))
    # seasonality (12-point period) on about half of the series
    seasonal = rng.random((n_series, 1)) < 0.5
    phase = rng.uniform(0.0, 2 * np.pi, size=(n_series, 1))
    x += (
        seasonal
        * scale
        * rng.uniform(0.5, 2.0, size=(n_series, 1))
        * np.sin(2 * np.pi * t / 12 + phase)
    )
    # a level step at a random point on about a third of the series
    stepped = rng.random((n_series, 1)) < 0.33
    at = rng.integers(1, n_points, size=(n_series, 1))
    x += stepped * (t >= at) * scale * rng.uniform(-4.0, 4.0, size=(n_series, 1))
    # a linear trend on about a quarter of the series
    trending = rng.random((n_series, 1)) < 0.25
    x += trending * t * scale * rng.uniform(-0.1, 0.1, size=(n_series, 1))
    # some integer-valued counts (many ties, points on the mean)
    counts = rng.random(n_series) < 0.2
    x[counts] = np.round(x[counts] / scale[counts])
    return x


def floor(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The minimum: every series' mean and mean moving range."""
    return x.mean(axis=1), np.abs(np.diff(x, axis=1)).mean(axis=1)


def _improvements(n_series: int, seed: int = SEED) -> np.ndarray:
    rng = np.random.default_rng(seed + 1)
    return rng.choice(np.array(["increase", "decrease", "neutral"]), size=n_series)


def _targets(x: np.ndarray, seed: int = SEED) -> np.ndarray:
    rng = np.random.default_rng(seed + 2)
    targets = x.mean(axis=1) * rng.uniform(0.8, 1.2, size=x.shape[0])
    targets[rng.random(x.shape[0]) < 0.3] = np.nan
    return targets


def limits_inputs(
    chart: str, n_series: int, n_points: int, seed: int = SEED
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """(numerators, denominators, sds) of the kind each chart reads, N x M."""
    rng = np.random.default_rng(seed + 10 + CHARTS.index(chart))
    shape = (n_series, n_points)
    if chart in ("i", "mr", "run"):
        return make_series(n_series, n_points, seed), None, None
    if chart in ("p", "pp"):
        den = rng.integers(50, 5000, size=shape).astype(np.float64)
        rate = np.clip(rng.uniform(0.02, 0.4, (n_series, 1)) + rng.normal(0, 0.02, shape), 0, 1)
        return rng.binomial(den.astype(np.int64), rate).astype(np.float64), den, None
    if chart in ("u", "up"):
        den = rng.uniform(1.0, 1000.0, size=shape)
        return rng.poisson(den * rng.uniform(0.1, 5.0, (n_series, 1))).astype(np.float64), den, None
    if chart == "c":
        return (
            rng.poisson(rng.uniform(1.0, 50.0, (n_series, 1)), size=shape).astype(float),
            None,
            None,
        )
    if chart == "g":
        p = rng.uniform(0.005, 0.2, (n_series, 1))
        return (rng.geometric(p, size=shape) - 1).astype(np.float64), None, None
    if chart == "t":
        return rng.exponential(rng.uniform(1.0, 60.0, (n_series, 1)), size=shape), None, None
    den = rng.integers(2, 11, size=shape).astype(np.float64)
    sds = rng.uniform(0.5, 2.0, (n_series, 1)) * np.sqrt(rng.chisquare(den - 1) / (den - 1))
    if chart == "s":
        return sds, den, None
    means = rng.uniform(10, 100, (n_series, 1)) + rng.standard_normal(shape) / np.sqrt(den)
    return means, den, sds


def _c4(sizes: np.ndarray) -> np.ndarray:
    top = int(sizes.max())
    table = np.array(
        [math.nan, math.nan]
        + [
            math.sqrt(2 / (n - 1)) * math.exp(math.lgamma(n / 2) - math.lgamma((n - 1) / 2))
            for n in range(2, top + 1)
        ]
    )
    return table[sizes.astype(np.intp)]


def limits_floor(
    chart: str, num: np.ndarray, den: np.ndarray | None, sds: np.ndarray | None
) -> dict[str, np.ndarray]:
    """The same six arrays as ``control_limits_many`` in plain NumPy: full-length series, no
    checks, the formulas of ``metrics/spc_limits.py`` written as directly as possible."""
    d2 = 2 / math.sqrt(math.pi)
    d3 = math.sqrt(2 - 4 / math.pi)
    floor_at, ceiling = None, None
    values = num
    if chart in ("i", "mr", "run", "t"):
        y = num ** (1 / 3.6) if chart == "t" else num
        if chart == "run":
            centre, sigma = np.median(y, axis=1, keepdims=True), np.full((len(y), 1), np.nan)
        else:
            mr = np.abs(np.diff(y, axis=1))
            mr_bar = mr.mean(axis=1, keepdims=True)
            if chart == "mr":
                values = np.concatenate([np.full((len(y), 1), np.nan), mr], axis=1)
                centre, sigma, floor_at = mr_bar, d3 / d2 * mr_bar, 0.0
            else:
                centre, sigma = y.mean(axis=1, keepdims=True), mr_bar / d2
    elif chart in ("p", "pp", "u", "up"):
        centre = num.sum(axis=1, keepdims=True) / den.sum(axis=1, keepdims=True)
        values = num / den
        sigma = np.sqrt((centre * (1 - centre) if chart in ("p", "pp") else centre) / den)
        floor_at, ceiling = 0.0, (1.0 if chart in ("p", "pp") else None)
        if chart in ("pp", "up"):
            z = (values - centre) / sigma
            sigma = sigma * np.abs(np.diff(z, axis=1)).mean(axis=1, keepdims=True) / d2
    elif chart in ("c", "g"):
        centre = num.mean(axis=1, keepdims=True)
        sigma = np.sqrt(centre if chart == "c" else centre * (centre + 1))
        floor_at = 0.0
    else:
        weight = den - 1
        sd = num if chart == "s" else sds
        s_bar = np.sqrt(
            (weight * sd * sd).sum(axis=1, keepdims=True) / weight.sum(axis=1, keepdims=True)
        )
        c = _c4(den)
        if chart == "s":
            centre, sigma, floor_at = s_bar, s_bar * np.sqrt(1 - c * c) / c, 0.0
        else:
            centre = (den * num).sum(axis=1, keepdims=True) / den.sum(axis=1, keepdims=True)
            sigma = s_bar / (c * np.sqrt(den))
    shape = num.shape
    out = {"values": np.array(values, dtype=np.float64)}
    out["centre"] = np.broadcast_to(centre**3.6 if chart == "t" else centre, shape).copy()
    for key, k in (("ll99", -3), ("ll95", -2), ("ul95", 2), ("ul99", 3)):
        limit = centre + k * sigma
        if chart == "t":
            limit = np.maximum(limit, 0.0) ** 3.6
        elif floor_at is not None:
            limit = np.maximum(limit, floor_at)
        if ceiling is not None:
            limit = np.minimum(limit, ceiling)
        out[key] = np.broadcast_to(limit, shape).copy()
    return out


def run_limits(
    charts: list[str], n_series: int, n_points: int, repeats: int
) -> list[dict[str, object]]:
    rows = []
    for chart in charts:
        num, den, sds = limits_inputs(chart, n_series, n_points)
        # sanity, and warm-up: the floor computes the same limits
        got = control_limits_many(chart, num, den, sds=sds)
        want = limits_floor(chart, num, den, sds)
        for key, value in want.items():
            if not np.allclose(got[key], value, rtol=1e-9, atol=1e-12, equal_nan=True):
                raise AssertionError(f"control_limits_many and the floor disagree: {chart} {key}")
        del got, want
        floor_times: list[float] = []
        many_times: list[float] = []
        for _ in range(repeats):
            start = time.perf_counter()
            limits_floor(chart, num, den, sds)
            floor_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            control_limits_many(chart, num, den, sds=sds)
            many_times.append(time.perf_counter() - start)
        floor_median = statistics.median(floor_times)
        many_median = statistics.median(many_times)
        rows.append(
            {
                "chart": chart,
                "floor_median": floor_median,
                "many_median": many_median,
                "ratio": many_median / floor_median,
                "floor_times": floor_times,
                "many_times": many_times,
            }
        )
    return rows


def report_limits(rows: list[dict[str, object]], n_series: int, n_points: int, load: str) -> str:
    def ms(v: object) -> str:
        return f"{float(v) * 1000:.0f} ms"  # type: ignore[arg-type]

    lines = [
        f"## SPC control limits benchmark - {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        "",
        f"- Machine: {platform.platform()}; {os.cpu_count()} CPUs; Python "
        f"{platform.python_version()}; NumPy {np.__version__}; load average at the start {load}",
        f"- Data: N = {n_series:,} series x M = {n_points} points per chart (seed {SEED}); "
        "`control_limits_many(chart, ...)` with its defaults (no screening, full-length rows) "
        "against `limits_floor` (the same six per-point arrays in plain NumPy, no checks); "
        f"medians of {len(rows[0]['floor_times']) if rows else 0} interleaved runs each",  # type: ignore[arg-type]
        "",
        "| chart | floor, median | `control_limits_many`, median | ratio | target | result |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        ratio = float(r["ratio"])  # type: ignore[arg-type]
        lines.append(
            f"| {r['chart']} | {ms(r['floor_median'])} | {ms(r['many_median'])} | "
            f"{ratio:.2f}x | <= {FLOOR_TARGET:g}x | {'PASS' if ratio <= FLOOR_TARGET else 'FAIL'} |"
        )
    lines.append("")
    return "\n".join(lines)


def _load() -> str:
    try:
        return " / ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:  # not available on this platform
        return "n/a"


def run(n_series: int, n_points: int, sample: int, repeats: int) -> dict[str, object]:
    load = _load()
    x = make_series(n_series, n_points)
    improvement = _improvements(n_series)
    targets = _targets(x)
    sample = min(sample, n_series)

    # warm-up (imports, allocator, caches)
    floor(x[:1000])
    analyse_many(x[:1000], improvement=improvement[:1000], targets=targets[:1000])

    floor_times: list[float] = []
    many_times: list[float] = []
    floor_cpu: list[float] = []
    many_cpu: list[float] = []
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        floor(x)
        floor_times.append(time.perf_counter() - start)
        floor_cpu.append(time.process_time() - cpu)
        start, cpu = time.perf_counter(), time.process_time()
        batch = analyse_many(x, improvement=improvement, targets=targets)
        many_times.append(time.perf_counter() - start)
        many_cpu.append(time.process_time() - cpu)

    rows = x[:sample].tolist()
    start = time.perf_counter()
    for i, values in enumerate(rows):
        target = targets[i]
        analyse(
            values,
            improvement=str(improvement[i]),
            target=None if np.isnan(target) else float(target),
        )
    per_series = (time.perf_counter() - start) / sample

    # sanity: the batch agrees with analyse on a few series
    for i in range(min(sample, 50)):
        target = targets[i]
        single = analyse(
            rows[i],
            improvement=str(improvement[i]),
            target=None if np.isnan(target) else float(target),
        )
        if batch.result(i).point_type != single.point_type:
            raise AssertionError(f"analyse_many and analyse disagree on series {i}")

    floor_median = statistics.median(floor_times)
    many_median = statistics.median(many_times)
    loop_total = per_series * n_series
    return {
        "load": load,
        "n_series": n_series,
        "n_points": n_points,
        "sample": sample,
        "repeats": repeats,
        "floor_times": floor_times,
        "many_times": many_times,
        "floor_median": floor_median,
        "many_median": many_median,
        "per_series": per_series,
        "loop_total": loop_total,
        "ratio": many_median / floor_median,
        "cpu_ratio": statistics.median(many_cpu) / statistics.median(floor_cpu),
        "floor_cpu": statistics.median(floor_cpu),
        "many_cpu": statistics.median(many_cpu),
        "speedup": loop_total / many_median,
    }


def report(r: dict[str, object]) -> str:
    ratio = float(r["ratio"])  # type: ignore[arg-type]
    speedup = float(r["speedup"])  # type: ignore[arg-type]
    fmt = ", ".join

    def ms(v: object) -> str:
        return f"{float(v) * 1000:.1f} ms"  # type: ignore[arg-type]

    lines = [
        f"## SPC benchmark - {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        "",
        f"- Machine: {platform.platform()}; {platform.processor() or platform.machine()}; "
        f"{os.cpu_count()} CPUs; Python {platform.python_version()}; NumPy {np.__version__}; "
        f"load average at the start {r['load']}",
        f"- Data: N = {r['n_series']:,} series x M = {r['n_points']} points "
        f"(noise, seasonality, steps, trends, integer counts; seed {SEED}); "
        "improvement and targets mixed per series",
        f"- (a) floor (NumPy mean + mean moving range), {r['repeats']} runs: "
        f"{fmt(ms(v) for v in r['floor_times'])}",  # type: ignore[attr-defined]
        f"- (b) `analyse_many`, {r['repeats']} runs: {fmt(ms(v) for v in r['many_times'])}",  # type: ignore[attr-defined]
        f"- (c) `analyse` one series at a time on {r['sample']:,} series: "
        f"{float(r['per_series']) * 1e6:.1f} us per series, "  # type: ignore[arg-type]
        f"extrapolated to {r['n_series']:,} series: {float(r['loop_total']):.1f} s",  # type: ignore[arg-type]
        "",
        "| measure | value | target | result |",
        "| --- | --- | --- | --- |",
        f"| floor, median | {ms(r['floor_median'])} | | |",
        f"| `analyse_many`, median | {ms(r['many_median'])} | | |",
        f"| `analyse_many` / floor | {ratio:.2f}x | <= {FLOOR_TARGET:g}x | "
        f"{'PASS' if ratio <= FLOOR_TARGET else 'FAIL'} |",
        f"| speed-up vs per-series `analyse` (extrapolated) | {speedup:.0f}x | "
        f">= {SPEEDUP_TARGET:g}x | {'PASS' if speedup >= SPEEDUP_TARGET else 'FAIL'} |",
        "",
        f"For reference (not the targets), CPU-time medians of this process: floor "
        f"{ms(r['floor_cpu'])}, `analyse_many` {ms(r['many_cpu'])}, ratio "
        f"{float(r['cpu_ratio']):.2f}x (less affected by other load on the machine).",  # type: ignore[arg-type]
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=100_000, help="number of series (N)")
    parser.add_argument("--points", type=int, default=120, help="points per series (M)")
    parser.add_argument(
        "--sample", type=int, default=2_000, help="series timed with per-series analyse"
    )
    parser.add_argument("--repeats", type=int, default=5, help="runs of (a) and (b)")
    parser.add_argument(
        "--charts",
        default=",".join(CHARTS),
        help="comma-separated charts for the control-limits section, or 'none'",
    )
    parser.add_argument("--skip-xmr", action="store_true", help="only the control-limits section")
    parser.add_argument(
        "--results", type=Path, default=ROOT / "bench" / "RESULTS.md", help="file to append to"
    )
    args = parser.parse_args(argv)
    if args.series < 1 or args.points < 2 or args.sample < 1 or args.repeats < 1:
        parser.error("--series, --sample and --repeats must be >= 1 and --points >= 2")

    charts = [] if args.charts == "none" else args.charts.split(",")
    unknown = sorted(set(charts) - set(CHARTS))
    if unknown:
        parser.error(f"unknown charts {unknown}; choose from {', '.join(CHARTS)}")
    ok = True
    texts = []
    if not args.skip_xmr:
        result = run(args.series, args.points, args.sample, args.repeats)
        texts.append(report(result))
        ok = result["ratio"] <= FLOOR_TARGET and result["speedup"] >= SPEEDUP_TARGET  # type: ignore[operator]
    if charts:
        load = _load()
        rows = run_limits(charts, args.series, args.points, args.repeats)
        texts.append(report_limits(rows, args.series, args.points, load))
        ok = ok and all(float(r["ratio"]) <= FLOOR_TARGET for r in rows)  # type: ignore[arg-type]
    text = "\n".join(texts)
    print(text)
    existing = args.results.read_text(encoding="utf-8") if args.results.exists() else None
    with args.results.open("a", encoding="utf-8") as f:
        if existing is None:
            f.write("# Benchmark results\n\n")
        elif not existing.endswith("\n\n"):  # keep the heading separate from what precedes
            f.write("\n" if existing.endswith("\n") else "\n\n")
        f.write(text + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    from england import bench_lock

    with bench_lock():
        status = main()
    raise SystemExit(status)
