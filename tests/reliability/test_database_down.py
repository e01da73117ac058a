"""PostgreSQL down: a real server process answers a designed 503 page (JSON under /api/) at
once, with an error id that its log line carries, and never a stack trace."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import free_port, silent_server, timed

ROOT = Path(__file__).resolve().parents[2]
ERROR_ID = re.compile(r"\b[0-9a-f]{12}\b")


class Server:
    """gunicorn serving the portal on a free port with DATABASE_URL at ``database_port``."""

    def __init__(self, tmp_path: Path, database_port: int):
        self.port = free_port()
        self.log_path = tmp_path / "server.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "icsportal.settings",
            "DEBUG": "false",
            "SECRET_KEY": "database-down-test-key-not-secret",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{database_port}/icsportal",
            "CELERY_BROKER_URL": "",
            "LOG_LEVEL": "INFO",
        }
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable, "-m", "gunicorn", "icsportal.wsgi:application",
                    "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
                    "--error-logfile", "-", "--log-level", "info",
                ],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("server did not start:\n" + self.log()) from None
                time.sleep(0.1)
        # The first request imports the application: make it before timing anything.
        self.get("/healthz")

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, str]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", headers=headers or {}
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def server_without_database(tmp_path):
    server = Server(tmp_path, database_port=5999)  # nothing listens on 5999
    yield server
    server.stop()


# A session cookie of the right shape: reading the session needs the database.
SIGNED_IN = {"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"}


def test_a_page_is_the_designed_503_with_an_error_id_in_the_log(server_without_database):
    server = server_without_database
    with timed() as took:
        status, headers, body = server.get("/", SIGNED_IN)
    assert status == 503
    assert took[0] < 2, took
    assert headers["Retry-After"].isdigit()
    assert headers["Content-Type"].startswith("text/html")
    assert "Sorry, the service is unavailable" in body
    assert 'class="nhsuk-header"' in body
    for leak in ("Traceback", "psycopg2", "OperationalError", "5999", 'File "'):
        assert leak not in body
    error_id = re.search(r'portal-error-id">([0-9a-f]{12})<', body)[1]
    time.sleep(0.2)
    lines = [line for line in server.log().splitlines() if error_id in line]
    assert lines, server.log()
    assert "Database unavailable" in lines[0]
    assert "Traceback" not in server.log()


def test_the_api_answers_json_503_and_healthz_says_the_database_is_down(server_without_database):
    server = server_without_database
    with timed() as took:
        status, headers, body = server.get(
            "/api/v1/metrics/", {"Authorization": "Token 0123456789abcdef0123456789abcdef01234567"}
        )
    assert status == 503 and took[0] < 2
    assert headers["Content-Type"] == "application/json"
    data = json.loads(body)
    assert "database cannot be reached" in data["detail"]
    assert ERROR_ID.fullmatch(data["error_id"])
    assert data["error_id"] in server.log()

    status, headers, body = server.get("/healthz")
    assert status == 503
    assert json.loads(body)["database"] == "unavailable"
    assert headers["Retry-After"].isdigit()


def test_a_database_that_accepts_and_never_answers_gives_up_after_the_connect_timeout(tmp_path):
    with silent_server() as port:
        server = Server(tmp_path, database_port=port)
        try:
            with timed() as took:
                status, _headers, body = server.get("/", SIGNED_IN)
        finally:
            server.stop()
    assert status == 503
    assert "Sorry, the service is unavailable" in body
    # libpq's connect_timeout (2 seconds, its minimum) bounds the wait.
    assert 1.5 < took[0] < 3.5, took
