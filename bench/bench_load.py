"""Load benchmark: Locust users against gunicorn on loopback, at England scale.

Run as ``python bench/bench_load.py [--users 50] [--minutes 5]`` with PostgreSQL on 127.0.0.1
(``BENCH_DATABASE_URL`` to point elsewhere). On the England database of ``bench/england.py``
it makes sure of its accounts (a commissioner and an analyst with API tokens, and one board
secretary per Locust user, each granted one board of their own, so no two users ever edit the
same membership), gives the page users passwords new to this run, starts gunicorn on a free
loopback port with the production settings of ``bench_env()`` (static files collected and
served by WhiteNoise), then runs Locust headless as its own process with ``bench/locustfile.py``
under ``bench_lock()``: every user signs in once through the sign-in form and picks actions by
weight, 70 dashboard views, 20 API filters, 8 membership edits and 2 uploads, reading for 1 to
3 seconds between them.

Targets (issue 8): 0% errors and a dashboard p95 under 500 ms. The section it appends to
``bench/RESULTS.md`` gives requests, failures, p50/p95/p99 and requests/s of each group and
each request, the load average and the server's configuration.

What the run changes it puts back: the notes of the edited memberships (through
``membership_update``, so their history shows both), and the uploaded observations (their rows
as they were, and their Places' snapshots rebuilt). What it will put back is written first to
``RESTORE`` so that a run that was killed is put right by the next one.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import platform
import re
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from england import bench_env, bench_lock, ensure_england  # noqa: E402

COMMISSIONER = "bench-load-commissioner"
ANALYST = "bench-load-analyst"
SECRETARY = "bench-load-secretary-{:02d}"
TARGET_DASHBOARD_P95_MS = 500.0
# Seconds a user spends on a page before the next action (Locust's between(min, max)): a busy
# user, so that 50 of them ask for about 20 actions a second.
WAIT_MIN, WAIT_MAX = 1.0, 3.0
# gunicorn on 2 cores: 3 processes of 2 threads. Each request spends part of its time waiting
# for PostgreSQL (on the same cores), when a second thread of the process can run; 6 requests
# in flight keep both cores busy without queueing more work inside the server than it can do.
GUNICORN = {"workers": 3, "threads": 2, "worker-class": "gthread", "timeout": 30}
# gunicorn closes a connection idle for its keep-alive (2 s by default); a user who waits longer
# then sends its next request on a closed connection. A browser retries that request; Locust
# does not retry a POST and counts it failed. So the server keeps connections open longer than
# a user waits (behind the production proxy, the proxy holds the clients' connections).
KEEP_ALIVE_MARGIN = 2
CELLS_PER_PLACE = 12
PERIOD = dt.date(2026, 3, 1)
RESTORE = Path(os.environ.get("BENCH_LOAD_RESTORE", "/tmp/icsportal-bench-load-restore.json"))
GROUP_LABELS = {
    "dashboards": "dashboard views",
    "API": "API filters",
    "edits": "membership edits (form + save)",
    "uploads": "uploads",
    "sign-in": "sign-in (once per user)",
    "static": "static files (once per user)",
}
OBSERVATION_COLUMNS = (
    "period_end",
    "value",
    "provenance",
    "as_written",
    "note",
    "also_sources",
    "modified_at",
    "batch_id",
    "source_document_id",
    "source_line",
)


# -- accounts and what the users pick from --------------------------------------------------------


def api_token(username: str, role: str) -> str:
    """The key of a new API token of ``username`` with ``role``; the earlier runs' tokens are
    revoked (only a key's hash is stored, so an earlier key cannot be read back)."""
    from governance.services import role_grant
    from icsportal.api.tokens import token_issue, token_revoke
    from icsportal.models import ApiToken

    user = role_grant(username=username, role=role).user
    for token in ApiToken.objects.live().filter(user=user):
        token_revoke(token=token)
    return token_issue(user=user, name="bench").key


def editable_memberships():
    """Memberships whose change form validates as read: a named person, dated, still open."""
    from governance.models import Membership

    return Membership.objects.filter(
        person__isnull=False, person_not_named=False, start_date__isnull=False, end_date=None
    )


def clear_lockout(usernames: list[str]) -> None:
    """Forget the sign-in failures of the bench's own accounts, so no run starts locked out."""
    from axes.models import AccessAttempt, AccessFailureLog

    AccessAttempt.objects.filter(username__in=usernames).delete()
    AccessFailureLog.objects.filter(username__in=usernames).delete()


def prepare(users: int, run: str) -> dict:
    """Accounts (passwords new to this run) and the pools the Locust users pick from."""
    from django.contrib.auth import get_user_model

    from governance.models import Board
    from governance.services import role_grant
    from metrics.models import Metric, Observation
    from places.models import Place

    board_ids = editable_memberships().values("board_id")
    boards = list(Board.objects.filter(pk__in=board_ids).order_by("slug"))
    if len(boards) < users:
        raise SystemExit(f"{users} users need {users} boards with an open membership")
    step = len(boards) // users
    User = get_user_model()
    secretaries, notes = [], {}
    for i in range(users):
        board = boards[i * step]
        username = SECRETARY.format(i + 1)
        grant = role_grant(username=username, role="board_secretary", board_slugs=[board.slug])
        # Exactly this board: a secretary left with another from an earlier run would share it.
        grant.boards.set([board])
        user = grant.user
        password = secrets.token_urlsafe(24)
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        membership = editable_memberships().filter(board=board).order_by("pk").first()
        notes[membership.pk] = {"note": membership.note, "username": username}
        secretaries.append(
            {
                "username": username,
                "password": password,
                "board": board.slug,
                "edit_path": f"/boards/{board.slug}/members/{membership.pk}/change/",
            }
        )
    User.objects.filter(username__in=[COMMISSIONER, ANALYST]).update(is_active=True)
    commissioner_token = api_token(COMMISSIONER, "commissioner")
    analyst_token = api_token(ANALYST, "analyst")
    clear_lockout([s["username"] for s in secretaries] + [COMMISSIONER, ANALYST])

    places = list(Place.objects.order_by("slug").values_list("slug", flat=True))
    metrics = list(Metric.objects.order_by("code").values_list("code", "name"))
    words = sorted(
        {w.lower() for _, name in metrics for w in re.findall(r"[A-Za-z]{5,}", name)}
        - {"synthetic"}
    )
    # Each user uploads to a Place of its own: the latest month of a few of its series.
    upload_places, observations = [], []
    for slug in places[: max(users, 1)]:
        rows = list(
            Observation.objects.filter(
                series__place__slug=slug, series__subject_type="place", period_start=PERIOD
            )
            .order_by("series__metric__code")
            .values(
                "id",
                "series__metric__code",
                "series__metric__minimum",
                "series__metric__maximum",
                *OBSERVATION_COLUMNS,
            )[:CELLS_PER_PLACE]
        )
        upload_places.append(
            {
                "slug": slug,
                "cells": [
                    {
                        "metric": r["series__metric__code"],
                        "period": f"{PERIOD:%Y-%m}",
                        "value": r["value"],
                        # An upload stays within the metric's limits, or the portal refuses it.
                        "minimum": r["series__metric__minimum"],
                        "maximum": r["series__metric__maximum"],
                    }
                    for r in rows
                ],
            }
        )
        observations += rows
    return {
        "plan": {
            "run": run,
            "secretaries": secretaries,
            "commissioner_token": commissioner_token,
            "analyst_token": analyst_token,
            "places": places,
            "metrics": [code for code, _ in metrics],
            "boards": list(Board.objects.order_by("slug").values_list("slug", flat=True)),
            "search_terms": words,
            "periods_after": ["2016-04-01", "2021-04-01", "2024-04-01", "2025-10-01"],
            "upload_places": upload_places,
            "static": [],
        },
        "restore": {"notes": notes, "observations": observations},
    }


# -- putting back what the run changed ------------------------------------------------------------


def save_restore(restore: dict) -> None:
    RESTORE.write_text(json.dumps(restore, default=str), encoding="utf-8")


def restore_changes() -> None:
    """Put back the notes and observations a run changed, then forget them (see ``RESTORE``)."""
    if not RESTORE.exists():
        return
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from governance.models import Membership
    from governance.services import membership_update
    from metrics.models import Series
    from metrics.outbox import scope_recompute

    restore = json.loads(RESTORE.read_text(encoding="utf-8"))
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="bench-")}
    restored_notes = 0
    for pk, was in restore["notes"].items():
        membership = Membership.objects.get(pk=int(pk))
        if membership.note != was["note"]:
            membership_update(
                actor=users[was["username"]],
                membership=membership,
                expected_version=membership.version,
                note=was["note"],
            )
            restored_notes += 1
    rows = restore["observations"]
    sets = ", ".join(f"{c} = %s" for c in OBSERVATION_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        for row in rows:
            values = [
                json.dumps(row[c]) if c == "also_sources" else row[c] for c in OBSERVATION_COLUMNS
            ]
            cursor.execute(
                f"UPDATE metrics_observation SET {sets} WHERE id = %s",  # noqa: S608 # nosec B608
                [*values, row["id"]],
            )
    scopes = set(
        Series.objects.filter(observations__id__in=[r["id"] for r in rows]).values_list(
            "place__system_id", "place_id"
        )
    )
    for system_id, place_id in sorted(scopes):
        scope_recompute(system_id=system_id, place_id=place_id)
    RESTORE.unlink()
    print(
        f"Put back {restored_notes} membership notes and {len(rows)} observations"
        f" ({len(scopes)} Place snapshots rebuilt).",
        flush=True,
    )


# -- the server and Locust ------------------------------------------------------------------------


def children_cpu() -> float:
    """CPU-seconds (user + system) of the child processes waited for so far, theirs included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env() -> dict[str, str]:
    # Production's static files storage (README "Production"): hashed names, compressed copies.
    return bench_env(STATICFILES_STORAGE="whitenoise.storage.CompressedManifestStaticFilesStorage")


def collect_static() -> None:
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "collectstatic",
            "--no-input",
            "--ignore",
            "build",
            "-v",
            "0",
        ],
        cwd=ROOT,
        env=server_env(),
        check=True,
    )


def gunicorn_command(port: int, keep_alive: int = 5) -> list[str]:
    return [
        str(Path(sys.executable).with_name("gunicorn")),
        "icsportal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
        *(f"--{k}={v}" for k, v in GUNICORN.items()),
        f"--keep-alive={keep_alive}",
    ]


def start_gunicorn(port: int, log: Path, keep_alive: int) -> subprocess.Popen:
    handle = log.open("w")
    server = subprocess.Popen(
        gunicorn_command(port, keep_alive),
        cwd=ROOT,
        env=server_env(),
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
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


def static_paths(base: str) -> list[str]:
    """The stylesheet and script every page loads, as the sign-in page names them."""
    with urllib.request.urlopen(f"{base}/accounts/login/", timeout=10) as response:
        html = response.read().decode()
    return sorted(set(re.findall(r"""["'](/static/[^"']+\.(?:css|js))["']""", html)))


def run_locust(base: str, users: int, seconds: int, prefix: Path, env: dict) -> int:
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(min(users, 10)),
        "--run-time",
        f"{seconds}s",
        "--host",
        base,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    with (prefix.parent / "locust.log").open("w") as log:
        return subprocess.run(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        ).returncode


# -- reading Locust's results ---------------------------------------------------------------------


def read_stats(prefix: Path) -> dict:
    """Locust's per-request rows and aggregate from its CSV, the groups from the locustfile."""
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    def number(row: dict, key: str) -> float:
        value = row.get(key, "")
        return float(value) if value not in ("", "N/A") else 0.0

    requests = [
        {
            "name": r["Name"],
            "method": r["Type"],
            "requests": int(r["Request Count"]),
            "failures": int(r["Failure Count"]),
            "p50": number(r, "50%"),
            "p95": number(r, "95%"),
            "p99": number(r, "99%"),
            "max": number(r, "Max Response Time"),
            "rps": number(r, "Requests/s"),
            "bytes": number(r, "Average Content Size"),
        }
        for r in rows
    ]
    total = next(r for r in requests if r["name"] == "Aggregated")
    with open(f"{prefix}_failures.csv", newline="", encoding="utf-8") as handle:
        failures = list(csv.DictReader(handle))
    with open(f"{prefix}_exceptions.csv", newline="", encoding="utf-8") as handle:
        exceptions = list(csv.DictReader(handle))
    groups = json.loads(Path(f"{prefix}_groups.json").read_text(encoding="utf-8"))
    return {
        "requests": [r for r in requests if r["name"] != "Aggregated"],
        "total": total,
        "failures": failures,
        "exceptions": exceptions,
        "groups": groups["groups"],
        "seconds": groups["seconds"],
    }


def server_errors(log: Path) -> list[str]:
    """Lines of the server's log at ERROR or worse (tracebacks, worker timeouts)."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [
        line
        for line in lines
        if '"level": "ERROR"' in line
        or '"level": "CRITICAL"' in line
        or "[ERROR]" in line
        or "[CRITICAL]" in line
    ]


# -- the section of RESULTS.md --------------------------------------------------------------------


def _load(values) -> str:
    return " / ".join(f"{v:.2f}" for v in values) if values else "not recorded"


def _seconds(value) -> str:
    return "not recorded" if value is None else f"{value:.0f}"


def write_results(results: Path, stats: dict, config: dict, errors: list[str]) -> str:
    from importlib.metadata import version

    import django
    from django.db import connection

    total = stats["total"]
    groups = stats["groups"]
    failed = total["failures"] + len(stats["exceptions"]) + len(errors)
    dashboards = groups.get("dashboards", {})
    p95 = dashboards.get("p95", float("inf"))
    error_pass = failed == 0
    p95_pass = p95 < TARGET_DASHBOARD_P95_MS
    # An edit is two requests (the form, the save): count the forms.
    forms = sum(r["requests"] for r in stats["requests"] if r["name"] == "edits: change form")
    actions = {
        g: forms if g == "edits" else groups.get(g, {}).get("requests", 0)
        for g in ("dashboards", "API", "edits", "uploads")
    }
    action_total = sum(actions.values()) or 1
    users, minutes = config["users"], config["minutes"]
    locust_cpu = config["locust_cpu"]
    locust_share = (
        f", or {100 * locust_cpu / config['seconds']:.0f}% of one core" if locust_cpu else ""
    )
    lines = [
        f"\n## Load (Locust, {users} users, {minutes:g} min) — {config['date']} UTC\n",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python"
        f" {platform.python_version()}, Django {django.get_version()}, PostgreSQL"
        f" {connection.pg_version // 10000}, Locust {version('locust')}; load average at the"
        f" start {_load(config['load_start'])}, at the end {_load(config['load_end'])}"
        " (Locust, gunicorn and PostgreSQL"
        " share the cores).",
        f"Server: gunicorn {config['gunicorn_version']} on loopback, {GUNICORN['workers']}"
        f" {GUNICORN['worker-class']} workers × {GUNICORN['threads']} threads, timeout"
        f" {GUNICORN['timeout']} s, keep-alive {config.get('keep_alive', 2)} s, CPU-seconds over"
        f" its life {_seconds(config['server_cpu'])}"
        f" (Locust's: {_seconds(locust_cpu)}{locust_share}); production"
        " settings (`bench_env()`: DEBUG off, per-process memory cache, no broker, so an"
        " upload's recompute runs in its request after the commit), static files collected"
        " with `CompressedManifestStaticFilesStorage` and served by WhiteNoise.",
        f"Data: the synthetic England database (`{connection.settings_dict['NAME']}`,"
        f" {config['places']} Places, {config['metrics']} metrics, {config['boards']} boards)."
        f" `bench/bench_load.py --users {users} --minutes {minutes:g}`:"
        f" `locust --headless -u {users} -r {min(users, 10)} -t"
        f" {config['seconds']}s` as its own process (`bench/locustfile.py`, FastHttpUser), each"
        " user a board secretary with a board of its own,"
        f" {config['wait_min']:g}–{config['wait_max']:g} s between actions. Sign-in once per"
        " user through the form; dashboards in that session"
        " (Place 35, overview 15, metric page 20); API filters with a commissioner's token"
        " (observations of one series 10, a board's memberships 5, metric search 5); edits: GET"
        " the change form of the user's own membership, every field read from the HTML, the"
        " note changed, POST, 302 to the board expected; uploads: a 3-row CSV of the user's"
        " own Place to `/api/v1/observations/bulk/` with an analyst's token, 201 expected.",
        "Actions done: "
        + ", ".join(
            f"{GROUP_LABELS[g]} {n:,} ({100 * n / action_total:.1f}%)" for g, n in actions.items()
        )
        + f". {total['requests']:,} requests in {stats['seconds']:.0f} s,"
        f" {total['requests'] / max(stats['seconds'], 1):.1f} requests/s.",
        "",
        "| group | requests | failures | p50 ms | p95 ms | p99 ms | max ms | req/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    seconds = max(stats["seconds"], 1)
    for group, label in GROUP_LABELS.items():
        g = groups.get(group)
        if g:
            lines.append(
                f"| {label} | {g['requests']:,} | {g['failures']} | {g['p50']:.0f} |"
                f" {g['p95']:.0f} | {g['p99']:.0f} | {g['max']:.0f} |"
                f" {g['requests'] / seconds:.1f} |"
            )
    lines.append(
        f"| **all** | {total['requests']:,} | {total['failures']} | {total['p50']:.0f} |"
        f" {total['p95']:.0f} | {total['p99']:.0f} | {total['max']:.0f} |"
        f" {total['requests'] / seconds:.1f} |"
    )
    lines += [
        "",
        "| request | requests | failures | p50 ms | p95 ms | p99 ms | max ms | KB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in stats["requests"]:
        lines.append(
            f"| {r['method']} {r['name']} | {r['requests']:,} | {r['failures']} | {r['p50']:.0f}"
            f" | {r['p95']:.0f} | {r['p99']:.0f} | {r['max']:.0f} | {r['bytes'] / 1024:.0f} |"
        )
    lines += [
        "",
        "| target | measured | result |",
        "| --- | --- | --- |",
        f"| 0% errors | {total['failures']} failed requests, {len(stats['exceptions'])} task"
        f" exceptions, {len(errors)} server errors logged | {'PASS' if error_pass else 'FAIL'} |",
        f"| dashboard p95 < {TARGET_DASHBOARD_P95_MS:.0f} ms | {p95:.0f} ms |"
        f" {'PASS' if p95_pass else 'FAIL'} |",
        "",
    ]
    for f in stats["failures"][:10]:
        lines.append(f"Failure: {f['Method']} {f['Name']} ×{f['Occurrences']}: {f['Error'][:300]}")
    for e in stats["exceptions"][:10]:
        lines.append(f"Exception ×{e['Count']}: {e['Message'][:300]}")
    for line in errors[:10]:
        lines.append(f"Server: {line[:300]}")
    text = "\n".join(lines).rstrip() + "\n"
    with results.open("a", encoding="utf-8") as handle:
        handle.write(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--wait-min", type=float, default=WAIT_MIN, help="seconds between actions")
    parser.add_argument("--wait-max", type=float, default=WAIT_MAX)
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument(
        "--report-from",
        type=Path,
        metavar="DIR",
        help="only append the section of the finished run whose files are in DIR",
    )
    args = parser.parse_args()
    if args.report_from:
        ensure_england()
        print(report(args.report_from, args.results))
        return
    if args.users < 1:
        raise SystemExit("--users must be at least 1")

    ensure_england()
    from governance.models import Board
    from metrics.models import Metric
    from places.models import Place

    restore_changes()
    run = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    prepared = prepare(args.users, run)
    collect_static()
    seconds = max(1, round(args.minutes * 60))
    work = Path(tempfile.mkdtemp(prefix="bench_load_"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = work / "gunicorn.log"
    plan_file = work / "plan.json"
    save_restore(prepared["restore"])
    keep_alive = math.ceil(args.wait_max) + KEEP_ALIVE_MARGIN
    server = start_gunicorn(port, log, keep_alive)
    try:
        prepared["plan"]["static"] = static_paths(base)
        # Passwords and tokens: readable by this account only, removed after the run.
        fd = os.open(plan_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(prepared["plan"], handle)
        env = {
            **os.environ,
            "LOAD_PLAN": str(plan_file),
            "LOAD_GROUPS": str(work / "locust_groups.json"),
            "LOAD_WAIT_MIN": str(args.wait_min),
            "LOAD_WAIT_MAX": str(args.wait_max),
        }
        with bench_lock():
            load_start = os.getloadavg()
            print(f"Locust: {args.users} users for {seconds} s against {base}", flush=True)
            cpu = children_cpu()
            code = run_locust(base, args.users, seconds, work / "locust", env)
            locust_cpu = children_cpu() - cpu
            load_end = os.getloadavg()
    finally:
        plan_file.unlink(missing_ok=True)
        cpu = children_cpu()
        server.terminate()
        server.wait(timeout=60)
        server_cpu = children_cpu() - cpu
        restore_changes()
    version = (
        subprocess.run(
            [gunicorn_command(port)[0], "--version"], capture_output=True, text=True, check=True
        )
        .stdout.split()[-1]
        .strip("()")
    )
    config = {
        "date": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}",
        "users": args.users,
        "minutes": args.minutes,
        "wait_min": args.wait_min,
        "wait_max": args.wait_max,
        "load_start": load_start,
        "load_end": load_end,
        "seconds": seconds,
        "gunicorn_version": version,
        "keep_alive": keep_alive,
        "locust_cpu": locust_cpu,
        "server_cpu": server_cpu,
        "places": Place.objects.count(),
        "metrics": Metric.objects.count(),
        "boards": Board.objects.count(),
    }
    (work / "run.json").write_text(json.dumps(config), encoding="utf-8")
    print(f"Locust exited with {code}; its CSV and logs are in {work}", flush=True)
    print(report(work, args.results))


def report(work: Path, results: Path) -> str:
    """Append the section of the run whose files are in ``work`` to ``results``."""
    config = json.loads((work / "run.json").read_text(encoding="utf-8"))
    return write_results(
        results, read_stats(work / "locust"), config, server_errors(work / "gunicorn.log")
    )


if __name__ == "__main__":
    main()
