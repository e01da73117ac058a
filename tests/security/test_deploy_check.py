"""Production settings come from the environment alone and pass Django's deployment checks."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What a production environment sets: nothing about security but the key and the host names.
PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "portal.example.nhs.uk",
    "CSRF_TRUSTED_ORIGINS": "https://portal.example.nhs.uk",
}
# Values a deployment may set, which these tests must not inherit from the shell or CI.
SETTABLE = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    # Set for the browser tests' sake (Playwright's event loop); never in production.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SETTABLE}
    clean.update(DJANGO_SETTINGS_MODULE="icsportal.settings", **env)
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def production_env(**overrides: str) -> dict:
    # A fresh key each run, as long and as random as a real one (check --deploy wants ≥ 50).
    return {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(64), **overrides}


def test_check_deploy_passes_with_production_environment_values():
    out = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **production_env(),
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues" in out.stdout


def test_check_deploy_fails_on_a_weakened_setting():
    """The check above can fail: one production value turned off gives its warning."""
    out = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **production_env(SESSION_COOKIE_SECURE="false"),
    )
    assert out.returncode != 0
    assert "security.W012" in out.stderr


PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k) for k in ("
    "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
    "'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_SECURE', "
    "'X_FRAME_OPTIONS', 'SECURE_CONTENT_TYPE_NOSNIFF', 'SECURE_REFERRER_POLICY')}))"
)


def settings_in(**env: str) -> dict:
    out = run(["-c", PROBE], **env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_with_debug_off_the_defaults_are_production_ones():
    s = settings_in(**production_env())
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["CSRF_COOKIE_SECURE"] is True
    assert s["X_FRAME_OPTIONS"] == "DENY"
    assert s["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert s["SECURE_REFERRER_POLICY"] == "same-origin"


def test_development_keeps_plain_http_and_each_value_can_be_set():
    s = settings_in(DEBUG="true")
    assert s["SECURE_SSL_REDIRECT"] is False
    assert s["SECURE_HSTS_SECONDS"] == 0
    assert s["SESSION_COOKIE_SECURE"] is False
    s = settings_in(**production_env(SECURE_HSTS_SECONDS="3600", SECURE_SSL_REDIRECT="false"))
    assert s["SECURE_HSTS_SECONDS"] == 3600
    assert s["SECURE_SSL_REDIRECT"] is False
