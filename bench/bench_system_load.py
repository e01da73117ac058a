"""Benchmark of loading, reloading and removing a second system beside the first.

Run from the project root with ``DATABASE_URL`` naming a migrated PostgreSQL database::

    python bench/bench_system_load.py [--runs 3] [--label TEXT] [--results PATH]

It makes sure Coventry and Warwickshire (``places/fixtures/cw_ics.json``) is loaded, then, for
each run, removes Eastmoor and Northvale if it is there and times, in this process (Python and
Django start-up excluded), ``system_load`` of ``places/fixtures/second_system/en_ics.json``
(the first load), ``system_load`` again (nothing changes) and ``system_unload``, counting the
SQL statements of each. It appends a Markdown section with the median of the runs, the rows
written and deleted and the load average to ``bench/RESULTS.md`` (or ``--results``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icsportal.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from icsportal.loading import system_load, system_unload  # noqa: E402
from places.models import System  # noqa: E402

FIRST = ROOT / "places/fixtures/cw_ics.json"
SECOND = ROOT / "places/fixtures/second_system/en_ics.json"


@dataclass(frozen=True)
class Step:
    """One timed step of a run: seconds, SQL statements and rows written or deleted."""

    seconds: float
    queries: int
    rows: int


def timed(action) -> tuple[object, float, int]:
    """``action()``'s result, its seconds and the SQL statements it ran."""
    statements = 0

    # Counted as they run, not logged: a logged list keeps only the last 9,000.
    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - started
    return result, seconds, statements


def run_once(fixture: dict, slug: str) -> dict[str, Step]:
    """Load, reload and remove the second system once."""
    if System.objects.filter(slug=slug).exists():
        system_unload(slug=slug)
    report, seconds, queries = timed(lambda: system_load(fixture=fixture))
    steps = {"load": Step(seconds, queries, report.changed)}
    report, seconds, queries = timed(lambda: system_load(fixture=fixture))
    steps["reload"] = Step(seconds, queries, report.changed)
    deleted, seconds, queries = timed(lambda: system_unload(slug=slug))
    steps["unload"] = Step(seconds, queries, deleted.total())
    return steps


def revision() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def section(runs: list[dict[str, Step]], label: str) -> str:
    load_before = os.getloadavg()[0]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## A second system: load, reload and remove in process ({label}) — {now}",
        "",
        f"`bench/bench_system_load.py`, code at {revision()}, on {connection.vendor} "
        f"(load average {load_before:.1f} at the end; 2 cores shared with other engineers). "
        f"Eastmoor and Northvale beside Coventry and Warwickshire; median of {len(runs)} runs, "
        "each step timed in one process (no start-up).",
        "",
        "| step | median | runs | SQL statements | rows |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, what in (
        ("load", "`system_load` (first load)"),
        ("reload", "`system_load` again (nothing changes)"),
        ("unload", "`system_unload`"),
    ):
        steps = [run[name] for run in runs]
        median = statistics.median(step.seconds for step in steps)
        each = ", ".join(f"{step.seconds:.2f} s" for step in steps)
        lines.append(
            f"| {what} | {median:.2f} s | {each} | {steps[-1].queries:,} | {steps[-1].rows:,} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--label", default="bulk loader")
    parser.add_argument("--results", type=Path, default=ROOT / "bench/RESULTS.md")
    args = parser.parse_args()
    system_load(fixture=json.loads(FIRST.read_text(encoding="utf-8")))
    fixture = json.loads(SECOND.read_text(encoding="utf-8"))
    runs = [run_once(fixture, fixture["system"]["slug"]) for _ in range(args.runs)]
    text = section(runs, args.label)
    print(text)
    with args.results.open("a", encoding="utf-8") as results:
        results.write("\n" + text)


if __name__ == "__main__":
    main()
