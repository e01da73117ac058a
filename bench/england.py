"""The England-scale benchmark database, shared by the benchmarks that need it.

``ensure_england()`` makes sure the database ``icsportal_bench_england`` (on the PostgreSQL
server of ``BENCH_DATABASE_URL``, default 127.0.0.1:5432) exists, is migrated, holds the
synthetic England of ``generate_england`` with the arguments below, and has published
snapshots; it loads what is missing (a few minutes the first time) and does nothing when
it is all there. It then configures Django against it in this process.

Benchmarks that time something take ``bench_lock()`` around their measurements, so that two
benchmarks started at once do not measure each other.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
ENGLAND_DB = "icsportal_bench_england"
ENGLAND_URL = f"{BASE_URL}/{ENGLAND_DB}"
ARGS = {"systems": 42, "places-per-system": 5, "metrics": 400, "months": 120, "seed": 2019}
LOCK = Path(os.environ.get("BENCH_LOCK", "/tmp/icsportal-bench.lock"))


def bench_env(**extra: str) -> dict[str, str]:
    """The environment of a process that runs the portal against the England database."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="icsportal.settings",
        DATABASE_URL=ENGLAND_URL,
        DEBUG="false",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-not-secret"),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        CELERY_BROKER_URL="",
        LOG_LEVEL="WARNING",
        # Production settings, served over plain HTTP on loopback.
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
    )
    env.update(extra)
    return env


def _manage(*args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=bench_env(), check=True, cwd=ROOT
    )


def _create_database() -> None:
    import psycopg2

    admin = psycopg2.connect(f"{BASE_URL}/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [ENGLAND_DB])
        if not cur.fetchone():
            cur.execute(f"CREATE DATABASE {ENGLAND_DB}")
    admin.close()


def _loaded() -> tuple[bool, bool]:
    """Whether the synthetic England is there in full, and whether every scope is published."""
    import psycopg2

    conn = psycopg2.connect(ENGLAND_URL)
    with conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM places_system WHERE key LIKE 'eng-%%'")
        systems = cur.fetchone()[0]
        cur.execute("SELECT COUNT(*) FROM metrics_metric WHERE code LIKE 'eng-%%'")
        metrics = cur.fetchone()[0]
        cur.execute(
            "SELECT COUNT(DISTINCT scope_key) FROM metrics_snapshot WHERE status = 'published'"
        )
        published = cur.fetchone()[0]
        cur.execute("SELECT COUNT(*) FROM places_place")
        places = cur.fetchone()[0]
    conn.close()
    loaded = systems == ARGS["systems"] and metrics == ARGS["metrics"]
    return loaded, published == systems + places


def ensure_england() -> None:
    """Create, migrate, load and snapshot the England database as needed; set Django up on it."""
    _create_database()
    _manage("migrate", "--no-input", "--verbosity", "0")
    loaded, published = _loaded()
    if not loaded:
        t0 = time.perf_counter()
        _manage("generate_england", *(f"--{k}={v}" for k, v in ARGS.items()))
        print(f"England generated in {time.perf_counter() - t0:.0f} s", flush=True)
        published = False
    if not published:
        _manage("recompute_snapshots")
    os.environ.update(bench_env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@contextlib.contextmanager
def bench_lock():
    """Hold the machine's benchmark lock while measuring (waits for another benchmark)."""
    with LOCK.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
