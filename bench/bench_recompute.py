"""Recompute benchmark: every series from PostgreSQL to published snapshots, against a floor.

Run as ``python bench/bench_recompute.py [--series N] [--months M]`` with PostgreSQL on
127.0.0.1 (``BENCH_DATABASE_URL`` to point elsewhere). It creates its own database
(``icsportal_bench_recompute``), loads synthetic series with COPY, then times in one run:

* the portal's path: ``snapshot_build`` for every Place (read, compute, write, publish) —
  what the nightly fan-out runs, one scope after another in one process;
* the floor: one binary ``COPY`` of every value out into NumPy, ``spc.analyse_many`` over
  them, and one ``COPY`` of the same summary columns back into a bare table.

The section it appends gives both medians, their ratio, and how the median portal run's time
splits into read / compute / write+publish / other, summed over its Places (``PhaseClock``).

The data are synthetic (illustrative) and labelled so in the database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "icsportal_bench_recompute"
BASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")


def setup_django() -> None:
    import psycopg2

    admin = psycopg2.connect(f"{BASE_URL}/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB])
        if not cur.fetchone():
            cur.execute(f"CREATE DATABASE {BENCH_DB}")
    admin.close()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="icsportal.settings",
        DEBUG="false",
        SECRET_KEY="bench-not-secret",
        DATABASE_URL=f"{BASE_URL}/{BENCH_DB}",
        # The worker runs go through Redis; the in-process runs call the services directly.
        CELERY_BROKER_URL=BROKER_URL,
        SNAPSHOT_TASK_MIN_SERIES="1000",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load(n_series: int, months: int, seed: int) -> list[int]:
    """Synthetic system, Places, metrics and series with ``months`` monthly points each."""
    from django.db import connection

    from metrics.models import Metric, Observation, Series
    from places.models import Place, System

    places_n = 100
    metrics_n = max(1, n_series // places_n)
    system, _ = System.objects.get_or_create(
        key="bench-system",
        defaults={
            "slug": "bench-system",
            "name": "Benchmark system (synthetic)",
            "is_synthetic": True,
        },
    )
    have = Observation.objects.filter(series__place__system=system).count()
    if have == places_n * metrics_n * months:
        _vacuum()
        return list(system.places.values_list("pk", flat=True))
    Series.objects.filter(place__system=system).delete()
    Place.objects.filter(system=system).delete()
    Metric.objects.filter(code__startswith="bench-").delete()
    places = Place.objects.bulk_create(
        Place(
            key=f"bench-place-{i}",
            system=system,
            slug=f"bench-place-{i}",
            name=f"Benchmark Place {i} (synthetic)",
            is_synthetic=True,
        )
        for i in range(places_n)
    )
    polarities = ["higher_is_better", "lower_is_better", "neutral"]
    metrics = Metric.objects.bulk_create(
        Metric(
            code=f"bench-{i}",
            name=f"Benchmark metric {i} (synthetic)",
            short_name=f"Bench {i}",
            unit="count",
            polarity=polarities[i % 3],
            frequency="monthly",
            category="activity",
            is_synthetic=True,
        )
        for i in range(metrics_n)
    )
    series = Series.objects.bulk_create(
        Series(metric=m, subject_type="place", place=p) for p in places for m in metrics
    )
    rng = np.random.default_rng(seed)
    starts = [dt.date(2015 + (k // 12), k % 12 + 1, 1) for k in range(months)]
    stamps = [s.isoformat() for s in starts]
    t = np.arange(months)
    with connection.cursor() as cursor:
        for chunk in range(0, len(series), 2000):
            block = series[chunk : chunk + 2000]
            level = rng.uniform(10, 1000, (len(block), 1))
            noise = rng.normal(0, 1, (len(block), months)) * level * 0.05
            season = level * 0.05 * np.sin(2 * np.pi * t / 12)
            step = np.where(rng.random((len(block), 1)) < 0.2, level * 0.15, 0) * (t > months // 2)
            trend = np.where(rng.random((len(block), 1)) < 0.1, level * 0.002, 0) * t
            values = np.round(level + noise + season + step + trend, 2)
            out = io.StringIO()
            now = "2026-01-01 00:00:00+00"
            for s, row in zip(block, values.tolist(), strict=True):
                for stamp, v in zip(stamps, row, strict=True):
                    out.write(
                        f"{s.pk}\t{stamp}\t{stamp}\t{v}\tsynthetic\t\\N\t\\N\t[]\t\tsynthetic\t{now}\n"
                    )
            out.seek(0)
            cursor.cursor.copy_expert(
                "COPY metrics_observation (series_id, period_start, period_end, value, provenance,"
                " source_document_id, source_line, also_sources, as_written, note, modified_at)"
                " FROM STDIN",
                out,
            )
    _vacuum()
    return [p.pk for p in places]


def _vacuum() -> None:
    """The rows of an earlier load (of another size) are deleted ones until vacuumed: every
    read would step over them. Vacuum and analyse before timing anything."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) metrics_observation")


class PhaseClock:
    """Times the phases of every ``snapshot_build`` by wrapping the module functions it calls.

    Each phase is the span from the start of its first call to the end of its last, so the
    commit of the summaries' transaction (where PostgreSQL checks their foreign keys) counts
    in write+publish; "other" is the rest (lock, build row, dead-build check, digest lookup).
    """

    PHASES = {
        "read": ("series_columns", "read_scope"),
        "compute": ("compute_summaries", "summaries_digest"),
        "write+publish": ("_write_summaries", "snapshot_publish"),
    }

    def __init__(self) -> None:
        self.totals = dict.fromkeys(self.PHASES, 0.0)
        self._started: dict[str, float] = {}

    def __enter__(self) -> PhaseClock:
        from metrics import snapshots

        self._saved = {}
        for phase, (first, last) in self.PHASES.items():
            for name, edge in ((first, "start"), (last, "end")):
                function = getattr(snapshots, name)
                self._saved[name] = function
                setattr(snapshots, name, self._timed(function, phase, edge))
        return self

    def __exit__(self, *exc) -> None:
        from metrics import snapshots

        for name, function in self._saved.items():
            setattr(snapshots, name, function)

    def _timed(self, function, phase: str, edge: str):
        def timed(*args, **kwargs):
            if edge == "start":
                self._started[phase] = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                if edge == "end":
                    self.totals[phase] += time.perf_counter() - self._started.pop(phase)

        return timed


def run_portal(system_id: int, place_ids: list[int]) -> tuple[float, dict[str, float]]:
    from metrics.models import Snapshot
    from metrics.snapshots import snapshot_build

    # A fresh run: no previous snapshot to compare against.
    Snapshot.objects.filter(system_id=system_id).delete()
    with PhaseClock() as clock:
        t0 = time.perf_counter()
        for place_id in place_ids:
            snapshot_build(system_id=system_id, place_id=place_id)
        total = time.perf_counter() - t0
    return total, {**clock.totals, "other": total - sum(clock.totals.values())}


def run_floor(system_id: int) -> tuple[float, dict[str, float]]:
    """COPY out, vectorised SPC, COPY back: the least any recompute has to do.

    It reads the columns the portal reads (series, period, value, provenance) and writes what
    a series summary holds (§2 of the metrics issue): the latest value, the mean and limits,
    the icons, the point count, the provisional flag and the points for a chart (each point's
    type, the segment's mean and limits, the recent periods and values) as JSON into a
    ``jsonb`` column, as the portal's summaries store them.
    """
    from django.db import connection

    from icsportal import pgcopy
    from metrics import spc
    from metrics.snapshots import RECENT_POINTS
    from metrics.snapshots.reading import BINARY_ROW

    split = {}
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        buffer = io.BytesIO()
        cursor.cursor.copy_expert(
            "COPY (SELECT o.series_id, o.period_start, o.value,"
            " CASE o.provenance WHEN 'document' THEN 0 WHEN 'upload' THEN 1 ELSE 2 END::int2"
            " FROM metrics_observation o"
            " JOIN metrics_series s ON s.id = o.series_id JOIN places_place p ON p.id = s.place_id"
            f" WHERE p.system_id = {int(system_id)} ORDER BY o.series_id, o.period_start)"
            " TO STDOUT WITH (FORMAT binary)",
            buffer,
        )
        rows = pgcopy.binary_rows(buffer.getbuffer(), BINARY_ROW)
        ids = rows["series"].astype(np.int64)
        periods = rows["period"].astype(np.int32)
        values = rows["value"].astype(np.float64)
        t1 = time.perf_counter()
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        lengths = np.diff(np.r_[starts, ids.size])
        width = int(lengths.max())
        assert (lengths == width).all(), "the benchmark series are all the same length"
        matrix = values.reshape(-1, width)
        result = spc.analyse_many(matrix, improvement="increase")
        t2 = time.perf_counter()
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS floor_summary (series_id bigint, latest_value float8,"
            " mean float8, lower float8, upper float8, variation text, assurance text,"
            " point_count int, provisional bool, points jsonb)"
        )
        cursor.execute("TRUNCATE floor_summary")
        letters = np.frombuffer(b"cICN", dtype=np.uint8)[np.clip(result.point_type, 0, 3)]
        variations = result.variation_labels()
        assurances = result.assurance_labels()
        recent = min(RECENT_POINTS, width)
        days = np.datetime64("2000-01-01", "D") + periods.reshape(-1, width)[:, -recent:].astype(
            "timedelta64[D]"
        )
        out = io.StringIO()
        last = values[starts + lengths - 1]
        for i, sid in enumerate(ids[starts].tolist()):
            recent_periods = ",".join(f'"{d}"' for d in days[i].tolist())
            recent_values = ",".join(map(repr, matrix[i, -recent:].tolist()))
            mean, lower, upper = (float(x[i]) for x in (result.mean, result.lower, result.upper))
            segment = f"[[0,{mean!r},{lower!r},{upper!r}]]"
            out.write(
                f"{sid}\t{last[i]}\t{result.mean[i]}\t{result.lower[i]}\t{result.upper[i]}\t"
                f"{variations[i]}\t{assurances[i] or ''}\t{lengths[i]}\t"
                f"{'t' if result.provisional[i] else 'f'}\t"
                f'{{"types":"{letters[i].tobytes().decode()}","segments":{segment},'
                f'"recent":{{"periods":[{recent_periods}],"values":[{recent_values}]}}}}\n'
            )
        out.seek(0)
        cursor.cursor.copy_expert("COPY floor_summary FROM STDIN", out)
        t3 = time.perf_counter()
    split.update(read=t1 - t0, compute=t2 - t1, write=t3 - t2)
    return t3 - t0, split


def cpu_jiffies() -> tuple[int, int] | None:
    """(busy, total) CPU time of this machine so far, from /proc/stat (Linux only).

    Busy is user, nice, system, irq and softirq time; steal (time the host gave to other
    machines) counts as neither busy nor available, so it is left out of both."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, idle, iowait, irq, softirq = fields[:7]
    busy = user + nice + system + irq + softirq
    return busy, busy + idle + iowait


def busy_cpus(start: tuple[int, int] | None, end: tuple[int, int] | None) -> float | None:
    """How many CPUs of the machine were busy on average between two ``cpu_jiffies()``."""
    if start is None or end is None or end[1] == start[1]:
        return None
    return (end[0] - start[0]) / (end[1] - start[1]) * (os.cpu_count() or 1)


def run_workers(n: int, system_id: int, scopes: int) -> tuple[float, int, float | None]:
    """Seconds for the nightly fan-out to publish every scope with ``n`` worker processes.

    Starts ``n`` Celery workers (one process each, prefetching one task) on the Redis broker,
    sends ``snapshots_recompute_all`` as beat does and waits until every scope has a new
    published snapshot. Returns the seconds from the send, the number of tasks sent and how
    many CPUs the machine kept busy meanwhile (workers, PostgreSQL, Redis and all).
    """
    import redis
    from celery import current_app

    from metrics.models import Snapshot
    from metrics.tasks import snapshots_recompute_all

    redis.Redis.from_url(BROKER_URL).flushdb()
    Snapshot.objects.filter(system_id=system_id).delete()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "icsportal",
                "worker",
                "--concurrency=1",
                "--prefetch-multiplier=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING",
                f"--hostname=bench{i}@%h",
            ],
            cwd=ROOT,
            env=env,
        )
        for i in range(n)
    ]
    try:
        deadline = time.monotonic() + 120
        while len(current_app.control.ping(timeout=0.5) or []) < n:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{n} workers did not answer within 120 s")
        t0, jiffies = time.perf_counter(), cpu_jiffies()
        tasks = snapshots_recompute_all.delay().get(timeout=600)
        while Snapshot.objects.filter(system_id=system_id, status="published").count() < scopes:
            if time.perf_counter() - t0 > 1800:
                raise RuntimeError("the fan-out did not finish within 30 minutes")
            time.sleep(0.05)
        elapsed = time.perf_counter() - t0
        busy = busy_cpus(jiffies, cpu_jiffies())
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    return elapsed, tasks, busy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--results",
        type=Path,
        default=ROOT / "bench" / "RESULTS.md",
        help="the Markdown file the section is appended to",
    )
    args = parser.parse_args()
    setup_django()
    from places.models import System

    t = time.perf_counter()
    place_ids = load(args.series, args.months, args.seed)
    load_s = time.perf_counter() - t
    system = System.objects.get(key="bench-system")
    floors, portals, splits, portal_splits = [], [], [], []
    for _ in range(args.repeat):
        total, split = run_floor(system.pk)
        floors.append(total)
        splits.append(split)
        total, split = run_portal(system.pk, place_ids)
        portals.append(total)
        portal_splits.append(split)
    floor, portal = statistics.median(floors), statistics.median(portals)
    ratio = portal / floor
    n = len(place_ids) * (args.series // len(place_ids))
    split = {k: statistics.median(s[k] for s in splits) for k in splits[0]}
    # The split of the median portal run, summed over its Places (for an even number of runs,
    # the median of each phase).
    if args.repeat % 2:
        portal_split = portal_splits[portals.index(portal)]
    else:
        portal_split = {k: statistics.median(s[k] for s in portal_splits) for k in portal_splits[0]}
    places_n = len(place_ids)
    lines = [
        f"\n## Recompute from PostgreSQL — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs,"
        f" Python {platform.python_version()}."
        f" {n:,} synthetic series × {args.months} months = {n * args.months:,} observations"
        f" (loaded in {load_s:.0f} s); medians of {args.repeat} runs.\n",
        "| path | median s | series/s |",
        "| --- | ---: | ---: |",
        f"| floor: binary COPY out + `analyse_many` + COPY back | {floor:.2f} | {n / floor:,.0f} |",
        f"| portal: `snapshot_build` for each of {len(place_ids)} Places | {portal:.2f} |"
        f" {n / portal:,.0f} |",
        "",
        f"Floor split: read {split['read']:.2f} s, compute {split['compute']:.2f} s,"
        f" write {split['write']:.2f} s.",
        f"Portal split, summed over the {places_n} Places of the median run: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in portal_split.items())
        + f" (per Place of {n // places_n:,} series: "
        + ", ".join(f"{k} {v / places_n * 1000:.0f} ms" for k, v in portal_split.items())
        + ").",
        f"Ratio portal / floor: **{ratio:.2f}×** (target ≤ 2×):"
        f" {'PASS' if ratio <= 2 else 'FAIL'}.",
        "",
    ]
    # The nightly fan-out through Redis with one worker process, then two (one per core).
    scopes = len(place_ids) + 1
    runs = {n: [run_workers(n, system.pk, scopes) for _ in range(args.repeat)] for n in (1, 2)}
    medians = {n: statistics.median(t for t, _, _ in r) for n, r in runs.items()}
    busy = {
        n: statistics.median(b for _, _, b in r) if all(b is not None for _, _, b in r) else None
        for n, r in runs.items()
    }
    tasks = runs[1][0][1]
    speedup = medians[1] / medians[2]
    cpus = os.cpu_count() or 1
    lines += [
        f"Fan-out through Redis (`snapshots_recompute_all`, {tasks} tasks of at least 1,000"
        f" series, {scopes} scopes), medians of {args.repeat} runs:"
        f" 1 worker process {medians[1]:.2f} s, 2 worker processes {medians[2]:.2f} s"
        f" (runs: "
        + "; ".join(f"{n}: " + ", ".join(f"{t:.1f}" for t, _, _ in r) for n, r in runs.items())
        + f"). Speed-up **{speedup:.2f}×** (target ≥ 1.5× on 2 cores, where PostgreSQL"
        f" shares the cores): {'PASS' if speedup >= 1.5 else 'FAIL'}.",
    ]
    if busy[1] is not None and busy[2] is not None:
        lines.append(
            f"CPUs busy on average (this machine's user and system time from /proc/stat, steal"
            f" left out; medians): 1 worker {busy[1]:.2f}, 2 workers {busy[2]:.2f} of {cpus}:"
            " one worker's run already keeps PostgreSQL busy beside it."
        )
    lines.append("")
    text = "\n".join(lines)
    print(text)
    with open(args.results, "a", encoding="utf-8") as fh:
        fh.write(text)


if __name__ == "__main__":
    from england import bench_lock

    with bench_lock():
        main()
