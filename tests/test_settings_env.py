"""Settings from the environment: DATABASE_URL picks PostgreSQL; no broker, tasks in-process."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'name': str(settings.DATABASES['default']['NAME']), "
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL, "
    "'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS}))"
)


def settings_with(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")
    }
    clean.update(DJANGO_SETTINGS_MODULE="icsportal.settings", **env)
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_without_database_url_the_portal_uses_an_sqlite_file():
    s = settings_with(DEBUG="true")
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"].endswith("db.sqlite3")


def test_database_url_selects_postgresql():
    s = settings_with(DEBUG="true", DATABASE_URL="postgres://portal@127.0.0.1:5432/portal")
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["name"] == "portal"


def test_without_a_broker_tasks_run_in_process_and_with_one_they_are_sent():
    assert settings_with(DEBUG="true")["eager"] is True
    s = settings_with(DEBUG="true", CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert s["eager"] is False and s["broker"] == "redis://127.0.0.1:6379/0"


def test_debug_secret_and_hosts_come_from_the_environment():
    s = settings_with(SECRET_KEY="x" * 50, ALLOWED_HOSTS="portal.example.nhs.uk,other.example")
    assert s["debug"] is False
    assert s["hosts"] == ["portal.example.nhs.uk", "other.example"]


def test_production_without_a_secret_key_refuses_to_start():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env["DJANGO_SETTINGS_MODULE"] = "icsportal.settings"
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode != 0
    assert "SECRET_KEY must be set" in out.stderr


CELERY_PROBE = (
    "import django; django.setup(); from icsportal.celery import app\n"
    "@app.task\n"
    "def echo(x):\n"
    "    return x\n"
    "print(echo.delay(3).get())"
)


def test_without_a_broker_tasks_run_in_process_with_no_broker_warning(tmp_path):
    """``make run`` has no broker: nothing should look for one on localhost, or warn."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "SECRET_KEY")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="icsportal.settings",
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{tmp_path / 'probe.sqlite3'}",
    )
    out = subprocess.run(
        [sys.executable, "-c", CELERY_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "3"
    assert "No hostname was supplied" not in out.stdout + out.stderr
