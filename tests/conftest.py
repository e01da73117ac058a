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


class Workers:
    """Starts real `celery worker` processes on the test database and points the app at them."""

    VISIBILITY_TIMEOUT = 2  # seconds before a dead worker's message may go to another

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.broker, self.backend, self.transport_options = _broker_urls(tmp_path)
        if self.broker.startswith("redis"):
            # Unacknowledged messages of a dead worker come back after this many seconds.
            self.transport_options = {
                **self.transport_options,
                "visibility_timeout": self.VISIBILITY_TIMEOUT,
            }
        self.procs: list[tuple[subprocess.Popen, Path]] = []

    @property
    def redelivers(self) -> bool:
        """Whether the broker gives a dead worker's unacknowledged message to another."""
        return self.broker.startswith("redis")

    def start(self) -> subprocess.Popen:
        log_path = self.tmp_path / f"worker-{len(self.procs)}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "icsportal.settings",
            "DEBUG": "true",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": self.broker,
            "CELERY_RESULT_BACKEND": self.backend,
            "CELERY_BROKER_TRANSPORT_OPTIONS": json.dumps(self.transport_options),
            "CONN_MAX_AGE": "0",
        }
        log = open(log_path, "w")  # noqa: SIM115 - the process owns it until it exits
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
        log.close()
        self.procs.append((proc, log_path))
        deadline = time.monotonic() + 30
        while "ready." not in log_path.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("worker did not start:\n" + log_path.read_text())
            time.sleep(0.1)
        return proc

    def log(self, proc: subprocess.Popen) -> str:
        return next(path for p, path in self.procs if p is proc).read_text()

    def wait_for(self, proc: subprocess.Popen, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log(proc):
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not in worker log:\n{self.log(proc)}")
            time.sleep(0.05)

    def stop_all(self) -> None:
        for proc, _ in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def _forget_connections(app) -> None:
    """Drop the app's cached broker pools and result backend, made for another broker."""
    from kombu import pools

    # Kombu keeps pools per broker URL process-wide; start afresh so none of them is reused.
    pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def celery_workers(transactional_db, tmp_path):
    """Real worker processes; the app sends tasks to the broker instead of running them here."""
    from icsportal.celery import app

    workers = Workers(tmp_path)
    if workers.redelivers:
        # Start from an empty queue: nothing left over from an earlier test reaches this one.
        with app.connection_for_write(workers.broker) as conn:
            client = conn.default_channel.client
            client.delete("celery", "unacked", "unacked_index")
    keys = ("broker_url", "result_backend", "task_always_eager", "broker_transport_options")
    old = {k: app.conf[k] for k in keys}
    app.conf.update(
        broker_url=workers.broker,
        result_backend=workers.backend,
        task_always_eager=False,
        broker_transport_options=workers.transport_options,
    )
    _forget_connections(app)
    try:
        yield workers
    finally:
        workers.stop_all()
        app.conf.update(old)
        _forget_connections(app)


@pytest.fixture
def celery_worker_process(celery_workers):
    """One real worker process, started."""
    return celery_workers.start()


def _signed_in_client(username: str, role: str, boards=()):
    from django.test import Client

    from governance.services import role_grant

    user = role_grant(username=username, role=role, board_slugs=list(boards)).user
    client = Client()
    client.force_login(user)
    # The first request stamps and saves the session; later ones within a minute only read it.
    client.get("/about/icons/")
    client.user = user
    return client


@pytest.fixture
def commissioner_client(db):
    """A test client signed in as a commissioner (every page needs a signed-in user)."""
    return _signed_in_client("page-commissioner", "commissioner")


@pytest.fixture
def page_client_as(db):
    """page_client_as("board_secretary", boards=[slug]) → a client signed in with that role."""

    def make(role: str, *, boards=(), username: str | None = None):
        return _signed_in_client(username or f"page-{role}-{'-'.join(boards)}", role, boards)

    return make
