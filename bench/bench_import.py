"""Benchmark observation imports on PostgreSQL against a plain COPY of the same rows.

    .venv/bin/python bench/bench_import.py [--rows 1000000] [--keep]

Creates a throwaway database (icsportal_bench_import) on the PostgreSQL server that DATABASE_URL
names (else BENCH_DATABASE_URL, else 127.0.0.1:5432), migrates
it and fills it with synthetic, clearly labelled data: a benchmark system, Places, monthly
metrics and their series (10 metrics x Places, 1,000 months each). Then, in one run:

(a) the floor: COPY of the CSV into a bare table of five text columns (median of 3 runs);
(b) observations_import of the file, every row a new observation;
(c) observations_import of a second file with every value changed (every row an update);
(d) the reference for the targets: a bare INSERT ... SELECT of the same rows, already typed and
    validated, into the emptied metrics_observation (its indexes and foreign keys, no upsert,
    no change rows): what writing to the real table costs before the import does anything;
(e) for reference, the ceiling any import into an indexed table has here: the same typed rows
    into a table of the observation's columns with no index, with its primary key, and with
    the primary key and the unique (series, period) key; and a COPY of the typed rows into the
    last (one pass, no validation). An import must read the file into the database and write
    the rows: its rows/s can be no better than the floor and the unindexed INSERT together.

Prints rows/s, the ratios to the floor and to (d), and PASS/FAIL against the targets (new rows
at least 60% of (d)'s rows/s, updates at least 40%, in the same run), with the peak RSS after
each import (flat: the file is streamed), and appends a section to bench/RESULTS.md.
"""

import argparse
import csv
import datetime as dt
import math
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "icsportal_bench_import"
RESULTS = ROOT / "bench" / "RESULTS.md"
# Of row (d)'s rows/s, measured in the same run.
TARGET_NEW = 0.60
TARGET_UPDATE = 0.40
MONTHS = 1000
METRICS = 10
HEADER = ["metric", "subject_type", "subject", "period", "value"]


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MB (ru_maxrss is in KB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def database_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(url: str) -> str:
    """Drop and create the benchmark database on the server of ``url``; return its URL."""
    import psycopg2

    admin = psycopg2.connect(database_url(url, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        cur.execute(f"CREATE DATABASE {BENCH_DB}")
    admin.close()
    return database_url(url, BENCH_DB)


def drop_database(url: str) -> None:
    import psycopg2

    admin = psycopg2.connect(database_url(url, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    admin.close()


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "icsportal.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ["DEBUG"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def stub_recompute() -> list:
    """Record recompute requests instead of computing snapshots: the benchmark times the import."""
    calls: list = []
    from metrics.imports import services

    services.recompute_after_commit = lambda *, series_ids: calls.append(len(series_ids))
    return calls


def create_subjects(series_count: int) -> list[tuple[str, str]]:
    """The synthetic system, Places, metrics and series; the (metric, place) of each series."""
    from metrics.models import Metric, Series
    from places.models import Place, System

    system = System.objects.create(
        key="bench-system",
        slug="bench-system",
        name="Benchmark system (synthetic)",
        is_synthetic=True,
    )
    place_count = math.ceil(series_count / METRICS)
    places = Place.objects.bulk_create(
        Place(
            key=f"bench-place-{i:05d}",
            system=system,
            slug=f"bench-place-{i:05d}",
            name=f"Benchmark Place {i} (synthetic)",
            is_synthetic=True,
        )
        for i in range(place_count)
    )
    metrics = Metric.objects.bulk_create(
        Metric(
            code=f"bench-metric-{i:02d}",
            name=f"Benchmark metric {i} (synthetic)",
            short_name=f"Benchmark {i}",
            unit="count",
            polarity="neutral",
            frequency="monthly",
            category="activity",
            minimum=0,
            is_synthetic=True,
        )
        for i in range(METRICS)
    )
    pairs = [(metrics[i % METRICS], places[i // METRICS]) for i in range(series_count)]
    Series.objects.bulk_create(
        Series(metric=metric, subject_type="place", place=place) for metric, place in pairs
    )
    return [(metric.code, place.slug) for metric, place in pairs]


def write_csv(path: Path, subjects: list[tuple[str, str]], rows: int, bump: float) -> None:
    """N rows: each series in turn, MONTHS months each from 1900-01; values shifted by bump."""
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        months = [f"{1900 + k // 12}-{k % 12 + 1:02d}" for k in range(MONTHS)]
        for i in range(rows):
            metric, place = subjects[i // MONTHS]
            value = (i * 7919) % 100_000 / 100 + bump
            out.writerow([metric, "place", place, months[i % MONTHS], f"{value:.2f}"])


def copy_floor(url: str, path: Path) -> float:
    """Seconds to COPY the CSV into a bare table of text columns, committed."""
    import psycopg2

    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_copy_floor")
        cur.execute(
            "CREATE TABLE bench_copy_floor (metric text, subject_type text, subject text, "
            "period text, value text)"
        )
        conn.commit()
        cur.execute("CHECKPOINT")
        start = time.perf_counter()
        with path.open("rb") as f:
            cur.copy_expert("COPY bench_copy_floor FROM STDIN WITH (FORMAT csv, HEADER)", f)
        conn.commit()
        elapsed = time.perf_counter() - start
        cur.execute("DROP TABLE bench_copy_floor")
        conn.commit()
    conn.close()
    return elapsed


OBSERVATION_COLUMNS = (
    "series_id, period_start, period_end, value, provenance, batch_id, as_written, note, "
    "also_sources, modified_at"
)
TYPED_ROWS = (
    "SELECT series_id, period_start, period_end, value, 'upload', batch_id, '', '', '[]', now() "
    "FROM bench_reference"
)
CEILING_KEYS = {
    "no index": (),
    "primary key": ("PRIMARY KEY (id)",),
    "primary key + unique (series, period)": (
        "PRIMARY KEY (id)",
        "UNIQUE (series_id, period_start)",
    ),
}


def _ceiling_table(cur, keys) -> None:
    cur.execute("DROP TABLE IF EXISTS bench_ceiling")
    cur.execute(
        "CREATE TABLE bench_ceiling"
        " (LIKE metrics_observation INCLUDING DEFAULTS INCLUDING IDENTITY)"
    )
    for key in keys:
        cur.execute(f"ALTER TABLE bench_ceiling ADD {key}")


def ceilings(conn) -> dict[str, float]:
    """Seconds to write the typed rows of ``bench_reference`` into bare tables (docstring, e)."""
    import io

    seconds = {}
    with conn.cursor() as cur:
        for label, keys in CEILING_KEYS.items():
            _ceiling_table(cur, keys)
            conn.commit()
            cur.execute("CHECKPOINT")
            start = time.perf_counter()
            cur.execute(f"INSERT INTO bench_ceiling ({OBSERVATION_COLUMNS}) {TYPED_ROWS}")
            conn.commit()
            seconds[f"INSERT, {label}"] = time.perf_counter() - start
        typed = io.BytesIO()
        cur.copy_expert(f"COPY ({TYPED_ROWS}) TO STDOUT", typed)
        _ceiling_table(cur, CEILING_KEYS["primary key + unique (series, period)"])
        conn.commit()
        cur.execute("CHECKPOINT")
        typed.seek(0)
        start = time.perf_counter()
        cur.copy_expert(f"COPY bench_ceiling ({OBSERVATION_COLUMNS}) FROM STDIN", typed)
        conn.commit()
        seconds["COPY of the typed rows, primary key + unique (series, period)"] = (
            time.perf_counter() - start
        )
        cur.execute("DROP TABLE bench_ceiling")
        conn.commit()
    return seconds


def insert_reference(url: str) -> tuple[float, dict[str, float]]:
    """Seconds to re-insert the observations, typed, into the emptied observation table, and
    the ceilings (docstring, e)."""
    import psycopg2

    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE bench_reference AS SELECT series_id, period_start, period_end, value, "
            "batch_id FROM metrics_observation"
        )
        conn.commit()
        bare = ceilings(conn)
        cur.execute("TRUNCATE metrics_observationchange, metrics_observation")
        conn.commit()
        cur.execute("CHECKPOINT")
        start = time.perf_counter()
        cur.execute(f"INSERT INTO metrics_observation ({OBSERVATION_COLUMNS}) {TYPED_ROWS}")
        conn.commit()
        elapsed = time.perf_counter() - start
        cur.execute("DROP TABLE bench_reference")
        conn.commit()
    conn.close()
    return elapsed, bare


def timed_import(path: Path):
    """Seconds for the import, the result, and the seconds of its phases."""
    from django.db import connection

    from metrics.imports import copy as import_copy
    from metrics.imports import observations_import
    from metrics.imports import staging as importers

    phases = {"stage": 0.0, "upsert": 0.0}
    saved = (import_copy.copy_stage, importers.PostgresWriter.upsert)

    def timed(function, phase):
        def run(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                phases[phase] += time.perf_counter() - t0

        return run

    import_copy.copy_stage = timed(saved[0], "stage")
    importers.PostgresWriter.upsert = timed(saved[1], "upsert")
    with connection.cursor() as cur:
        cur.execute("CHECKPOINT")
    try:
        start = time.perf_counter()
        result = observations_import(file=path)
        elapsed = time.perf_counter() - start
    finally:
        import_copy.copy_stage, importers.PostgresWriter.upsert = saved
    phases["other (commit, batch, series)"] = elapsed - sum(phases.values())
    return elapsed, result, phases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument(
        "--no-record", action="store_true", help="do not append the results to bench/RESULTS.md"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        # The server the other benchmarks use (their databases are made on it too).
        base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
        url = f"{base}/postgres"

    load_start = os.getloadavg()[0]
    bench_url = recreate_database(url)
    setup_django(bench_url)
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        calls = stub_recompute()
        series_count = math.ceil(args.rows / MONTHS)
        subjects = create_subjects(series_count)
        with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
            new_file, update_file = Path(tmp) / "new.csv", Path(tmp) / "update.csv"
            write_csv(new_file, subjects, args.rows, bump=0)
            write_csv(update_file, subjects, args.rows, bump=1)
            size_mb = new_file.stat().st_size / 1e6
            rss_setup = peak_rss_mb()
            print(f"{args.rows:,} rows, {series_count:,} series, {size_mb:.1f} MB CSV")

            floors = [copy_floor(bench_url, new_file) for _ in range(3)]
            floor = statistics.median(floors)
            print(f"(a) COPY floor: {', '.join(f'{s:.2f}' for s in floors)} s")

            new_s, new, new_phases = timed_import(new_file)
            rss_new = peak_rss_mb()
            assert (new.created, new.updated) == (args.rows, 0), new
            print(f"(b) import, all new: {new_s:.2f} s")

            update_s, update, update_phases = timed_import(update_file)
            rss_update = peak_rss_mb()
            assert (update.created, update.updated) == (0, args.rows), update
            print(f"(c) import, all updates: {update_s:.2f} s")
        reference_s, bare = insert_reference(bench_url)
        print(f"(d) reference INSERT into the real table: {reference_s:.2f} s")
        for label, seconds in bare.items():
            print(f"(e) {label}: {seconds:.2f} s")
        assert len(calls) == 2
        server = connection.pg_version
    finally:
        connection.close()
        if not args.keep:
            drop_database(url)

    floor_rate, new_rate, update_rate, reference_rate = (
        args.rows / s for s in (floor, new_s, update_s, reference_s)
    )
    new_ratio, update_ratio = new_rate / reference_rate, update_rate / reference_rate
    unique_s = bare["INSERT, primary key + unique (series, period)"]
    verdict_new = "PASS" if new_ratio >= TARGET_NEW else "FAIL"
    verdict_update = "PASS" if update_ratio >= TARGET_UPDATE else "FAIL"
    lines = [
        f"## Observation import — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, PostgreSQL {server // 10000}.{server % 10000}; "
        f"load average at the end {os.getloadavg()[0]:.1f}.",
        f"Data: {args.rows:,} rows ({series_count:,} synthetic series x {MONTHS:,} months), "
        f"{size_mb:.1f} MB CSV. `bench/bench_import.py --rows {args.rows}`.",
        "",
        "| run | seconds | rows/s | vs floor | vs (d) | target (of d) | verdict | peak RSS (MB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
        f"| (a) COPY into a bare text table (median of 3) | {floor:.2f} | {floor_rate:,.0f} "
        f"| 100% | | | | {rss_setup:.0f} |",
        f"| (b) import, every row new | {new_s:.2f} | {new_rate:,.0f} "
        f"| {new_rate / floor_rate:.1%} | {new_ratio:.1%} | {TARGET_NEW:.0%} | {verdict_new} "
        f"| {rss_new:.0f} |",
        f"| (c) import, every row an update | {update_s:.2f} | {update_rate:,.0f} "
        f"| {update_rate / floor_rate:.1%} | {update_ratio:.1%} | {TARGET_UPDATE:.0%} "
        f"| {verdict_update} | {rss_update:.0f} |",
        f"| (d) reference: bare INSERT of the typed rows into metrics_observation | "
        f"{reference_s:.2f} | {reference_rate:,.0f} | {reference_rate / floor_rate:.1%} "
        "| 100% | | | |",
        *(
            f"| (e) ceiling: {label} | {seconds:.2f} | {args.rows / seconds:,.0f} "
            f"| {args.rows / seconds / floor_rate:.1%} | {args.rows / seconds / reference_rate:.0%}"
            " | | | |"
            for label, seconds in bare.items()
        ),
        "",
        "The most any import that reads the file into the database and then writes the rows"
        f" can reach: {floor / (floor + bare['INSERT, no index']):.0%} of the floor (the floor's"
        " COPY followed by the INSERT into a table with no index at all); with the unique"
        f" (series, period) key that upserts need: {floor / (floor + unique_s):.0%}.",
        "",
        f"Peak RSS before the imports (after generating the files): {rss_setup:.0f} MB.",
        "",
        "Where the import's time goes (seconds): "
        + "; ".join(
            f"{label}: " + ", ".join(f"{k} {v:.2f}" for k, v in phases.items())
            for label, phases in (("new", new_phases), ("updates", update_phases))
        )
        + ". *stage* is reading and typing the file while COPY writes its rows into the"
        " staging table, then the duplicate and documented-value checks; *upsert* is the"
        " UPDATE of the changed observations with their change rows and the INSERT of the new"
        " ones; *other* includes the commit. Load"
        f" average at the start {load_start:.1f}, at the end {os.getloadavg()[0]:.1f}: the"
        " machine is shared, so compare the ratios of one run, not seconds across runs.",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if not args.no_record:
        # Another benchmark appends here too: append, never overwrite.
        separator = "\n" if RESULTS.exists() and RESULTS.stat().st_size else ""
        with RESULTS.open("a", encoding="utf-8") as f:
            f.write(separator + report)
    return 0 if verdict_new == verdict_update == "PASS" else 1


if __name__ == "__main__":
    from england import bench_lock

    with bench_lock():
        status = main()
    sys.exit(status)
