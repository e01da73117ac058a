"""Structured logs: one JSON object per line, each with the request id, secrets redacted.

``settings.LOGGING`` puts :class:`RequestIdFilter` and :class:`RedactSecretsFilter` on the
console handler (handler filters see every record, including those propagated from other
loggers) and formats with :class:`JsonFormatter`. The request id lives in a context variable:
``icsportal.middleware.RequestIdMiddleware`` sets it for a request; a Celery task logs with the
id of the request that enqueued it (sent as a message header), else with its own id.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

REDACTED = "[REDACTED]"

# Keys whose values are never written to a log, wherever they appear (extra=, dict arguments,
# nested dicts): credentials, tokens, cookies and the request headers that carry them.
SENSITIVE_KEY = re.compile(
    r"pass(word|wd|phrase)?|secret|token|authori[sz]ation|api[_-]?key|cookie|session(id)?"
    r"|csrf|signature|credential",
    re.IGNORECASE,
)
# The same inside free text: "password=x", "'token': 'x'", "Authorization: Token x".
_KEY_VALUE = re.compile(
    r"""(?P<key>\b[\w-]*(?:pass(?:word|wd|phrase)?|secret|token|authori[sz]ation|api[_-]?key"""
    r"""|sessionid|csrftoken|csrfmiddlewaretoken)[\w-]*)"""
    r"""(?P<sep>["']?\s*[:=]\s*["']?)"""
    r"""(?P<value>(?:(?:Token|Bearer|Basic)\s+)?[^\s"'&,;}\]]+)""",
    re.IGNORECASE,
)
_SCHEME_CREDENTIAL = re.compile(r"\b(?P<scheme>Token|Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}")

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()
    | {"message", "asctime", "request_id", "taskName"}
)
# Extras that are objects, not data: never serialised (the request line says what matters).
_SKIP_EXTRAS = frozenset({"request", "server_time", "data"})


def redact_text(text: str) -> str:
    """``text`` with the value after any credential-like key, and any credential, replaced."""
    text = _KEY_VALUE.sub(lambda m: f"{m['key']}{m['sep']}{REDACTED}", text)
    return _SCHEME_CREDENTIAL.sub(lambda m: f"{m['scheme']} {REDACTED}", text)


def redact(value, depth: int = 0):
    """A copy of ``value`` with sensitive keys' values and credentials in strings replaced."""
    if depth > 6:
        return value
    if isinstance(value, dict):
        return {
            k: REDACTED if isinstance(k, str) and SENSITIVE_KEY.search(k) else redact(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(redact(v, depth + 1) for v in value)
    if isinstance(value, str):
        return redact_text(value)
    return value


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (the current request's or task's id, else None) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            # Django logs a 4xx/5xx response after the middleware have returned, passing the
            # request itself: its id is on it.
            request = getattr(record, "request", None)
            record.request_id = (
                getattr(request, "request_id", None) or request_id_var.get() or task_request_id()
            )
        return True


class RedactSecretsFilter(logging.Filter):
    """Replaces passwords, tokens and credential headers in a record's message, arguments and
    extras, so that nothing that tries to log them writes them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict | list | tuple):
            record.msg = redact(record.msg)
        if record.args:
            if isinstance(record.args, dict):
                record.args = redact(record.args)
            else:
                record.args = tuple(redact(a) for a in record.args)
        # The message is rendered here and its text redacted as a whole: a credential may sit
        # in the template ("Authorization: Token %s") as well as in an argument.
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact_text(message), None
        for key in [k for k in vars(record) if k not in _STANDARD]:
            if SENSITIVE_KEY.search(key):
                setattr(record, key, REDACTED)
            else:
                setattr(record, key, redact(getattr(record, key)))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, then any extras
    (``method``, ``path``, ``status``, ``duration_ms`` on the request line) and the
    exception, if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_text(record.getMessage()),
            "request_id": getattr(record, "request_id", None)
            or request_id_var.get()
            or task_request_id(),
        }
        for key, value in vars(record).items():
            if key in _STANDARD or key in _SKIP_EXTRAS or key in entry:
                continue
            entry[key] = REDACTED if SENSITIVE_KEY.search(key) else redact(value)
        if "status_code" in entry and "status" not in entry:
            entry["status"] = entry.pop("status_code")
        if record.exc_info:
            entry["exception"] = redact_text(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = redact_text(record.exc_text)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def task_request_id() -> str | None:
    """In a Celery task: the id of the request that enqueued it, else the task's own id."""
    from celery import current_task

    request = getattr(current_task, "request", None)
    if request is None or not getattr(request, "id", None):
        return None
    # A worker puts the message's headers on the request; an eager apply() keeps them apart.
    headers = getattr(request, "headers", None) or {}
    return getattr(request, "request_id", None) or headers.get("request_id") or request.id


def _connect_celery_signals() -> None:
    """Send the current request id with every task a request enqueues (a message header)."""
    try:
        from celery import signals
    except ImportError:  # pragma: no cover - Celery is a runtime dependency
        return

    @signals.before_task_publish.connect(weak=False)
    def _add_request_id(headers=None, **kwargs):
        current = request_id_var.get()
        if headers is not None and current and "request_id" not in headers:
            headers["request_id"] = current

    @signals.setup_logging.connect(weak=False)
    def _keep_django_logging(**kwargs):
        """The worker keeps the JSON logging Django configured instead of Celery's own."""


_connect_celery_signals()
