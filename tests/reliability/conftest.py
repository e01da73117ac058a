import os
import socket
import threading
import time
from contextlib import contextmanager

import pytest
from rest_framework.test import APIClient

from governance.services import role_grant
from icsportal.api.tokens import token_issue

# Nothing listens here: a connection is refused at once, as when Redis is down.
CLOSED_REDIS = "redis://127.0.0.1:6390/0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def silent_server():
    """A TCP port that accepts connections and never answers: a service that hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in accepted:
            conn.close()
        server.close()


@contextmanager
def broker_at(url: str):
    """Point the Celery app at ``url`` (tasks go to the broker, not in-process) for the block."""
    from icsportal.celery import app
    from tests.conftest import _forget_connections

    keys = ("broker_url", "result_backend", "task_always_eager")
    old = {k: app.conf[k] for k in keys}
    # Celery reads these from the environment before its configuration.
    old_env = {k: os.environ.get(k) for k in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")}
    os.environ.update(CELERY_BROKER_URL=url, CELERY_RESULT_BACKEND=url)
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    _forget_connections(app)
    try:
        yield app
    finally:
        for key, value in old_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        app.conf.update(old)
        _forget_connections(app)


@contextmanager
def timed():
    """Yields a list that holds the block's duration in seconds once the block ends."""
    took = []
    start = time.monotonic()
    try:
        yield took
    finally:
        took.append(time.monotonic() - start)


@pytest.fixture
def analyst_api(db):
    user = role_grant(username="reliability-analyst", role="analyst", board_slugs=[]).user
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user).key}")
    return client
