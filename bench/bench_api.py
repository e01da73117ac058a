"""API benchmark: list endpoints under gunicorn and wrk, against plain Django views (the floor).

Run as ``python bench/bench_api.py [--duration S] [--rounds N]`` with PostgreSQL on 127.0.0.1
(``BENCH_DATABASE_URL`` to point elsewhere) and ``wrk`` installed (``apt-get install -y wrk``
on Debian or Ubuntu, ``brew install wrk`` on macOS). At England scale (``bench/england.py``)
it starts gunicorn on a free loopback port with ``bench.settings_bench`` (the portal's URLs
plus the floor of ``bench/floor_urls.py``), signs an analyst in with an API token, checks
that every floor answers the same JSON as its API endpoint (and stops if one does not), then
measures each pair with ``wrk --latency`` (16 connections, 2 threads), API and floor one
after the other in every round, under ``bench_lock()``. Workers are sync by default: on 2
cores shared with PostgreSQL and wrk, threads (``--worker-class gthread``) add no CPU under the
GIL, and a sync worker's time per request is the code path alone.

Targets (issues 4, 7 and 18): observations ≥ 0.65× the floor's requests/s with public Django
APIs only (no compiled or reused SQL), every other list ≥ 0.5×, and the API's p99 ≤ 50 ms at
16 connections. The section it appends to
``bench/RESULTS.md`` gives requests/s, p50 and p99 of both, the ratio and the verdicts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from england import bench_env, bench_lock, ensure_england  # noqa: E402

ANALYST = "bench-api-analyst"
FLOOR_PREFIX = "/floor"
WRK_MISSING = (
    "wrk is not installed. Install it with `apt-get install -y wrk` (Debian/Ubuntu) or "
    "`brew install wrk` (macOS), then run this benchmark again."
)


def analyst_token() -> str:
    """The key of a new API token of an analyst; the earlier runs' tokens are revoked (only a
    key's hash is stored, so an earlier key cannot be read back)."""
    from governance.services import role_grant
    from icsportal.api.tokens import token_issue, token_revoke
    from icsportal.models import ApiToken

    user = role_grant(username=ANALYST, role="analyst").user
    for token in ApiToken.objects.live().filter(user=user):
        token_revoke(token=token)
    return token_issue(user=user, name="bench").key


def endpoints() -> list[dict]:
    """The four lists measured, with the row count each page holds and its ratio target."""
    from metrics.models import Series
    from places.models import Place, System

    system = System.objects.order_by("name").first()
    place = Place.objects.filter(system=system).order_by("slug").first()
    series = (
        Series.objects.filter(place=place).select_related("metric").order_by("metric__code").first()
    )
    observations = (
        f"/api/v1/observations/?metric={series.metric.code}&subject_type=place&subject={place.slug}"
    )
    return [
        {"name": "memberships (page of 50)", "path": "/api/v1/memberships/?page_size=50"},
        {"name": "observations (cursor page of 100, one series)", "path": observations},
        {"name": f"Place dashboard ({place.slug})", "path": f"/api/v1/dashboards/{place.slug}/"},
        {"name": "system dashboard", "path": "/api/v1/dashboards/system/"},
    ]


def target(endpoint: dict) -> float:
    return 0.65 if endpoint["path"].startswith("/api/v1/observations/") else 0.5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int, worker_class: str, log: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "icsportal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--log-level",
        "warning",
        "--chdir",
        str(ROOT),
    ]
    if worker_class == "gthread":
        command += ["--threads", "4"]
    env = bench_env(DJANGO_SETTINGS_MODULE="bench.settings_bench", CONN_MAX_AGE="600")
    handle = log.open("w")
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer within 60 s; see {log}")


def fetch(base: str, path: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def same_json(base: str, endpoint: dict, token: str) -> str | None:
    """None when the floor answers the API's JSON; otherwise what differs."""
    api_status, api_body = fetch(base, endpoint["path"], token)
    floor_status, floor_body = fetch(base, FLOOR_PREFIX + endpoint["path"], token)
    if api_status != 200 or floor_status != 200:
        return f"status API {api_status}, floor {floor_status}: {api_body[:300]!r}"
    # The floor's links differ from the API's only by its prefix.
    floor_text = floor_body.decode().replace(f"{FLOOR_PREFIX}/api/", "/api/")
    api, floor = json.loads(api_body), json.loads(floor_text)
    if api == floor:
        endpoint["bytes"] = len(api_body)
        rows = api.get("results", api.get("series"))
        endpoint["rows"] = len(rows)
        return None
    rows_api = api.get("results") or api.get("series") or []
    rows_floor = floor.get("results") or floor.get("series") or []
    for i, (a, f) in enumerate(zip(rows_api, rows_floor, strict=False)):
        if a != f:
            keys = sorted(k for k in set(a) | set(f) if a.get(k) != f.get(k))
            return f"row {i} differs in {keys}: API {a} / floor {f}"
    keys = sorted(k for k in set(api) | set(floor) if api.get(k) != floor.get(k))
    return f"top-level keys differ: {keys}"


def query_counts(endpoint: dict, token: str) -> tuple[int, int]:
    """SQL statements per request of the API endpoint and of its floor (run in this process)."""
    from django.db import connection
    from django.test import Client, override_settings

    counts = []
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    with override_settings(ROOT_URLCONF="bench.floor_urls"):
        for path in (endpoint["path"], FLOOR_PREFIX + endpoint["path"]):
            client.get(path)
            statements = []

            def count(execute, sql, params, many, context, statements=statements):
                statements.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                assert client.get(path).status_code == 200, path
            counts.append(len(statements))
    return counts[0], counts[1]


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def workers_cpu_ms(master: int) -> float:
    """CPU time (user + system) the gunicorn master's worker processes have used so far."""
    total = 0
    for child in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        fields = Path(f"/proc/{child}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])
    return total * 1000 / CLOCK_TICKS


def wrk(url: str, token: str, seconds: int, connections: int, threads: int, master: int) -> dict:
    """Requests/s, p50 and p99 (ms) and the workers' CPU ms per request of one wrk run."""
    cpu_before = workers_cpu_ms(master)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-H",
            f"Authorization: Token {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M).groups()
        return float(value) * UNITS[unit]

    cpu = workers_cpu_ms(master) - cpu_before
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        raise SystemExit(f"{url}: {bad.group(1)} responses were not 2xx:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "requests": requests,
        "seconds": seconds,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": errors.group(1) if errors else "",
        "cpu": cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per URL")
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="API-then-floor pairs of runs per endpoint (a shared machine's load changes"
        " between runs: short pairs see the same load; the ratio is their median)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="measure only the endpoints whose name contains this (repeatable)",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument(
        "--results",
        type=Path,
        default=ROOT / "bench" / "RESULTS.md",
        help="the Markdown file the section is appended to",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit(WRK_MISSING)
    ensure_england()
    token = analyst_token()
    measured = [
        e for e in endpoints() if not args.only or any(word in e["name"] for word in args.only)
    ]
    for endpoint in measured:
        endpoint["queries"] = query_counts(endpoint, token)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench_api_gunicorn_{port}.log"
    server = start_gunicorn(port, args.workers, args.worker_class, log)
    try:
        for endpoint in measured:
            problem = same_json(base, endpoint, token)
            if problem:
                raise SystemExit(
                    f"{endpoint['path']}: the floor's JSON is not the API's: {problem}"
                )
        with bench_lock():
            load_before = os.getloadavg()
            for endpoint in measured:
                urls = {
                    "api": base + endpoint["path"],
                    "floor": base + FLOOR_PREFIX + endpoint["path"],
                }
                for url in urls.values():
                    wrk(url, token, args.warmup, args.connections, args.threads, server.pid)
                runs = {"api": [], "floor": []}
                for _ in range(args.rounds):
                    for side, url in urls.items():
                        runs[side].append(
                            wrk(
                                url,
                                token,
                                args.duration,
                                args.connections,
                                args.threads,
                                server.pid,
                            )
                        )
                        print(endpoint["path"], side, runs[side][-1], flush=True)
                endpoint["runs"] = runs
            load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
    write_results(args, measured, load_before, load_after)


def summary(runs: list[dict]) -> dict:
    """Requests/s over every round; the median round's p50 and p99."""
    rps = sum(r["requests"] for r in runs) / sum(r["seconds"] for r in runs)
    ordered = sorted(runs, key=lambda r: r["p99"])
    middle = ordered[len(ordered) // 2]
    errors = "; ".join(sorted({r["errors"] for r in runs if r["errors"]}))
    cpu = sum(r["cpu"] for r in runs) / sum(r["requests"] for r in runs)
    return {"rps": rps, "p50": middle["p50"], "p99": middle["p99"], "errors": errors, "cpu": cpu}


def write_results(args, measured: list[dict], load_before, load_after) -> None:
    import django
    import rest_framework
    from django.db import connection

    lines = [
        f"\n## API lists under gunicorn and wrk — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python"
        f" {platform.python_version()}, Django {django.get_version()}, DRF"
        f" {rest_framework.VERSION}, PostgreSQL {connection.pg_version // 10000}; load average"
        f" {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end.",
        f"England scale (`bench/england.py`). gunicorn {args.workers} {args.worker_class} workers"
        f" on loopback; `wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency`"
        f" after {args.warmup} s of warm-up, {args.rounds} rounds of API then floor per"
        " endpoint; req/s over all rounds, p50 and p99 of the median round, ratio the median"
        " of the rounds' API / floor req/s. The floor (`bench/floor_urls.py`): plain Django"
        " views with the same token check, the same SQL through a cursor and the same JSON by"
        " `json.dumps`; every floor's"
        " body was checked equal to its API's (parsed) before timing. Worker CPU: the user +"
        " system time of the gunicorn workers over the runs, per request (PostgreSQL's and wrk's"
        " own time not included): steadier than req/s when other work shares the machine."
        " `bench/bench_api.py`.\n",
        "| endpoint | rows | KB | queries API / floor | API req/s | floor req/s | ratio | target"
        " | verdict | API p50 ms | API p99 ms | floor p50 ms | floor p99 ms | API p99 ≤ 50 ms"
        " | worker CPU ms/request API / floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: "
        "| --- | ---: |",
    ]
    notes = []
    for e in measured:
        api, floor = summary(e["runs"]["api"]), summary(e["runs"]["floor"])
        pairs = [
            a["rps"] / f["rps"] for a, f in zip(e["runs"]["api"], e["runs"]["floor"], strict=True)
        ]
        ratio = statistics.median(pairs)
        notes.append(
            f"{e['name']}: API / floor req/s in each round "
            + ", ".join(f"{r:.2f}" for r in pairs)
            + "."
        )
        goal = target(e)
        lines.append(
            f"| {e['name']} | {e['rows']} | {e['bytes'] / 1024:.0f} | {e['queries'][0]} /"
            f" {e['queries'][1]} | {api['rps']:,.0f} | {floor['rps']:,.0f} | **{ratio:.2f}×** |"
            f" ≥ {goal}× | {'PASS' if ratio >= goal else 'FAIL'} | {api['p50']:.1f} |"
            f" {api['p99']:.1f} | {floor['p50']:.1f} | {floor['p99']:.1f} |"
            f" {'PASS' if api['p99'] <= 50 else 'FAIL'} | {api['cpu']:.1f} / {floor['cpu']:.1f} |"
        )
        # Little's law: with C requests always outstanding, the mean time a request spends in
        # the server is C divided by the requests it completes per second.
        notes.append(
            f"{e['name']}: at {args.connections} connections and the floor's"
            f" {floor['rps']:,.0f} req/s, a request spends"
            f" {args.connections / floor['rps'] * 1000:.0f} ms in the server on average"
            " (connections ÷ req/s); a p99 ≤ 50 ms needs more than"
            f" {args.connections / 0.05:,.0f} req/s even before any request is slower than"
            " the mean."
        )
        for side, s in (("API", api), ("floor", floor)):
            if s["errors"]:
                notes.append(f"{e['name']}, {side}: wrk socket errors {s['errors']}.")
    lines += ["", *notes, ""]
    text = "\n".join(lines)
    print(text)
    with open(args.results, "a", encoding="utf-8") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
