import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "places" / "fixtures" / "cw_ics.json"


@pytest.fixture(scope="session")
def cw_fixture() -> dict:
    """The portal's fixture for Coventry and Warwickshire, as committed."""
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load Coventry and Warwickshire once per test database; each test rolls back its changes."""
    with django_db_blocker.unblock():
        call_command("load_cw_ics", verbosity=0)


def _broker_urls(tmp_path: Path) -> tuple[str, str, dict]:
    """The broker from CELERY_BROKER_URL (Redis in CI), else a filesystem broker in tmp_path."""
    broker = os.environ.get("CELERY_BROKER_URL")
    if broker:
        return broker, os.environ.get("CELERY_RESULT_BACKEND", broker), {}
    queue = tmp_path / "broker"
    for sub in ("in", "processed", "results", "control"):
        (queue / sub).mkdir(parents=True, exist_ok=True)
    options = {
        "data_folder_in": str(queue / "in"),
        "data_folder_out": str(queue / "in"),
        "processed_folder": str(queue / "processed"),
        "control_folder": str(queue / "control"),
    }
    return "filesystem://", f"file://{queue / 'results'}", options


def _database_url() -> str:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path, settings):
    """A real `celery worker` process on the test database; the app sends to it, not in-process."""
    from icsportal.celery import app

    broker, backend, transport_options = _broker_urls(tmp_path)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "icsportal.settings",
        "DEBUG": "true",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": backend,
        "CELERY_BROKER_TRANSPORT_OPTIONS": json.dumps(transport_options),
        "CONN_MAX_AGE": "0",
    }
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "icsportal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    old = {
        k: app.conf[k]
        for k in ("broker_url", "result_backend", "task_always_eager", "broker_transport_options")
    }
    app.conf.update(
        broker_url=broker,
        result_backend=backend,
        task_always_eager=False,
        broker_transport_options=transport_options,
    )
    try:
        deadline = time.monotonic() + 30
        while "ready." not in (tmp_path / "worker.log").read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "worker did not start:\n" + (tmp_path / "worker.log").read_text()
                )
            time.sleep(0.1)
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        app.conf.update(old)
