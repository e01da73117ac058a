"""A live portal and the Debian Chromium for the Content-Security-Policy browser test."""

import os

import pytest
from django.db import connections

# Playwright's sync API runs an event loop in this thread (see tests/e2e/conftest.py).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(scope="module")
def anonymous_portal(django_db_setup, django_db_blocker):
    """A live server for the pages anyone may open (sign-in, API documentation, admin sign-in);
    they write nothing, so the database is left as it was."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        connections.close_all()
        try:
            yield server.url
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            connections.close_all()
