"""Structured logs: one JSON object per line with a request id; no password or token, ever."""

import io
import json
import logging
import secrets

import pytest
from django.test import Client
from rest_framework.test import APIClient

from governance.services import role_grant
from icsportal.api.tokens import token_issue
from icsportal.logging import (
    REDACTED,
    JsonFormatter,
    RedactSecretsFilter,
    RequestIdFilter,
    redact_text,
    request_id_var,
)

pytestmark = pytest.mark.django_db


class Captured:
    """Every record written while capturing: as the console handler writes it (JSON, filtered)
    and as it was logged (message and extras before any redaction)."""

    def __init__(self):
        self.stream = io.StringIO()
        self.raw: list[str] = []

    @property
    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]


class _RawHandler(logging.Handler):
    def __init__(self, captured: Captured):
        super().__init__(logging.DEBUG)
        self.captured = captured

    def emit(self, record):
        extras = {k: v for k, v in vars(record).items() if k not in ("request", "args", "msg")}
        self.captured.raw.append(f"{record.getMessage()} {record.args!r} {extras!r}")


@pytest.fixture
def captured_logs():
    """All loggers at DEBUG, captured through the same filters and formatter as production's
    console handler; restored afterwards."""
    captured = Captured()
    json_handler = logging.StreamHandler(captured.stream)
    json_handler.setFormatter(JsonFormatter())
    json_handler.addFilter(RequestIdFilter())
    json_handler.addFilter(RedactSecretsFilter())
    raw = _RawHandler(captured)
    # The raw handler goes first: it sees each record before the redaction filter changes it.
    targets = [logging.getLogger()] + [
        logging.getLogger(name)
        for name, obj in logging.root.manager.loggerDict.items()
        if isinstance(obj, logging.Logger) and not obj.propagate
    ]
    saved = [(logger, logger.level) for logger in targets]
    for logger in targets:
        logger.addHandler(raw)
        logger.addHandler(json_handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield captured
    finally:
        for logger, level in saved:
            logger.removeHandler(json_handler)
            logger.removeHandler(raw)
            logger.setLevel(level)


def test_realistic_flows_never_log_a_password_or_token(captured_logs, monkeypatch):
    password = "Pw-" + secrets.token_urlsafe(16)
    wrong = "Wrong-" + secrets.token_urlsafe(16)
    analyst = role_grant(username="logs-analyst", role="analyst").user
    analyst.set_password(password)
    analyst.save(update_fields=["password"])
    victim = role_grant(username="logs-locked", role="commissioner").user
    preset = token_issue(user=analyst, name="preset")
    secrets_seen = {password, wrong, preset.key}

    browser = Client()
    # Sign-in: wrong password, then the right one, then a page.
    assert (
        browser.post(
            "/accounts/login/", {"username": "logs-analyst", "password": wrong}
        ).status_code
        == 200
    )
    assert (
        browser.post(
            "/accounts/login/", {"username": "logs-analyst", "password": password}
        ).status_code
        == 302
    )
    assert browser.get("/").status_code == 200
    # Enough failures to lock an account out, then its right password refused too.
    for _ in range(11):
        Client().post("/accounts/login/", {"username": victim.username, "password": wrong})

    api = APIClient()
    # Tokens: refused with the wrong password, issued with the right one, used, revoked.
    assert (
        api.post("/api/v1/auth/token/", {"username": "logs-analyst", "password": wrong}).status_code
        == 400
    )
    issued = api.post("/api/v1/auth/token/", {"username": "logs-analyst", "password": password})
    assert issued.status_code == 200
    key = issued.json()["token"]
    secrets_seen.add(key)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/places/").status_code == 200
    assert api.get("/api/v1/boards/?format=csv").status_code == 200
    # An upload with a bad row (refused) and a JSON upload, both with the token.
    bad = io.BytesIO(b"metric,subject_type,subject,period,value\nnone,place,coventry,2019-13,1\n")
    bad.name = "bad.csv"
    assert api.post("/api/v1/observations/bulk/", {"file": bad}, format="multipart").status_code
    assert api.post("/api/v1/observations/bulk/", [{"metric": "x"}], format="json").status_code
    assert api.delete("/api/v1/auth/token/").status_code == 204
    # A revoked token, a made-up one, and a password sent where it does not belong.
    made_up = secrets.token_hex(20)
    secrets_seen.add(made_up)
    assert api.get("/api/v1/places/").status_code == 401
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION=f"Token {made_up}")
    assert stranger.get("/api/v1/places/", {"password": password}).status_code == 401
    # A failing request with credentials in its headers and body: logged with its traceback.
    from assurance import views

    def fail(*args, **kwargs):
        raise RuntimeError("provoked for the test")

    monkeypatch.setattr(views.SystemOverviewView, "post", fail, raising=False)
    monkeypatch.setattr(views.SystemOverviewView, "get", fail)
    failing = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {preset.key}")
    failing.post("/accounts/login/", {"username": "logs-analyst", "password": password})
    assert failing.get("/", {"token": preset.key}).status_code == 500

    lines = captured_logs.lines
    written = captured_logs.stream.getvalue()
    assert len(lines) > 20, "the flows above should have logged their requests"
    # What was logged, before redaction, and what was written, after it.
    for secret in secrets_seen:
        assert secret not in written
        assert not [r for r in captured_logs.raw if secret in r]
    # The logs still say what happened.
    messages = [line["message"] for line in lines]
    assert any("locked out" in m or "lock" in m.lower() for m in messages)
    assert any(line.get("status") == 500 and line["level"] == "ERROR" for line in lines)
    assert any("provoked for the test" in line.get("exception", "") for line in lines)
    # Every line was written inside a request and carries its id.
    assert [line for line in lines if not line["request_id"]] == []


def test_each_line_is_one_json_object_with_the_request_fields(captured_logs, client):
    response = client.get("/accounts/login/", {"next": "/secret-query"})
    request_id = response["X-Request-ID"]
    lines = captured_logs.lines
    assert lines
    for line in lines:
        assert {"time", "level", "logger", "message", "request_id"} <= line.keys()
    request_line = next(line for line in lines if line["logger"] == "icsportal.request")
    assert request_line["request_id"] == request_id
    assert request_line["method"] == "GET"
    assert request_line["path"] == "/accounts/login/"
    assert request_line["status"] == 200
    assert request_line["duration_ms"] >= 0
    # The query string is never logged.
    assert "secret-query" not in captured_logs.stream.getvalue()


def test_a_valid_request_id_is_kept_and_any_other_replaced(client):
    kept = client.get("/accounts/login/", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")
    assert kept["X-Request-ID"] == "lb-7f3a9c2e-0001"
    for hostile in ("short", "x" * 200, "abc def ghi", 'a"b\nINFO forged line', ""):
        replaced = client.get("/accounts/login/", HTTP_X_REQUEST_ID=hostile)["X-Request-ID"]
        assert replaced != hostile
        assert len(replaced) == 32
    assert client.get("/").headers["X-Request-ID"] != client.get("/").headers["X-Request-ID"]


def format_one(logger_name: str, msg, *args, **extra) -> dict:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    old = logger.level, logger.propagate
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        logger.info(msg, *args, extra=extra)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old[0])
        logger.propagate = old[1]
    (line,) = stream.getvalue().splitlines()
    return json.loads(line)


def test_the_filter_redacts_whatever_tries_to_log_credentials():
    token = secrets.token_hex(20)
    line = format_one(
        "tests.redact",
        "sign-in %s with %s, header Authorization: Token %s, body password=hunter2-long&x=1",
        "alice",
        {"username": "alice", "password": "hunter2-long", "nested": {"api_key": token}},
        token,
        authorization=f"Token {token}",
        headers={"HTTP_AUTHORIZATION": f"Bearer {token}", "Accept": "text/html"},
        password="hunter2-long",
    )
    text = json.dumps(line)
    assert token not in text
    assert "hunter2-long" not in text
    assert line["authorization"] == REDACTED
    assert line["password"] == REDACTED
    assert line["headers"] == {"HTTP_AUTHORIZATION": REDACTED, "Accept": "text/html"}
    assert "alice" in line["message"]
    assert "x=1" in line["message"]


def test_redact_text_keeps_ordinary_text():
    assert redact_text("Imported 12 rows for metric ae-4h") == "Imported 12 rows for metric ae-4h"
    assert redact_text("token=abc123") == f"token={REDACTED}"
    assert redact_text('{"password": "p4ss-w0rd"}') == f'{{"password": "{REDACTED}"}}'
    assert "deadbeefcafe" not in redact_text("Authorization: Bearer deadbeefcafe")


def test_the_request_id_follows_work_into_celery_tasks(captured_logs):
    from celery import signals

    from icsportal.celery import app

    token = request_id_var.set("req-12345678")
    try:
        # A task a request sends carries the request's id in its message headers.
        headers = {}
        signals.before_task_publish.send(sender="metrics.tasks.x", headers=headers, body=())
        assert headers["request_id"] == "req-12345678"
    finally:
        request_id_var.reset(token)

    @app.task(name="tests.security.log_something", bind=True)
    def log_something(self):
        logging.getLogger("tests.task").warning("recomputed")
        return self.request.id

    # In a worker the task's request holds that header: its lines carry the request's id.
    task_id = log_something.apply(headers={"request_id": "req-12345678"}).get()
    # A task no request sent (the nightly beat) logs with its own id.
    own_id = log_something.apply().get()
    ids = [line["request_id"] for line in captured_logs.lines if line["logger"] == "tests.task"]
    assert ids == ["req-12345678", own_id]
    assert task_id != own_id
