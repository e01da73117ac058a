"""Browser tests: Playwright driving the Debian Chromium against a live portal.

The server is started once for the module, over the C&W facts, the illustrative series and
published snapshots, committed to the test database. pytest-django's own ``live_server``
fixture is not used: it makes every test transactional and empties the database after each
one, so the data (about ten seconds to build) would have to be built again for every test.
The module's data is committed (outside any test's transaction) and removed again at the end,
so the tests that run after these find the database as before.
"""

import os
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run while
# one is running unless told it is safe. It is here: the tests and the server thread never
# share a connection (tests only, never in the portal itself).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium floods the closed network with requests.
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
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(
    os.environ.get("E2E_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e")
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core, vendored (see vendor/README.md)."""
    return AXE


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (E2E_ARTIFACTS, or test-artifacts/e2e/, which git ignores)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def portal(django_db_setup, django_db_blocker):
    """A live server with dashboards to show, and a signed-in commissioner's session cookie."""
    from django.contrib.sessions.models import Session
    from pytest_django.live_server_helper import LiveServer

    from governance.services import role_grant
    from metrics.models import ImportJob, Metric, ScopeRecompute, Snapshot
    from tests.places.dashboard_data import build_dashboards

    with django_db_blocker.unblock():
        build_dashboards()
        user = role_grant(username="e2e-commissioner", role="commissioner").user
        client = Client()
        client.force_login(user)
        session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        # Each request thread closes its database connection when its request ends.
        database = connections.settings[DEFAULT_DB_ALIAS]
        max_age = database["CONN_MAX_AGE"]
        database["CONN_MAX_AGE"] = 0
        # pytest-django wraps each test in a transaction. On SQLite with BEGIN IMMEDIATE (the
        # portal's setting, for concurrent membership edits) that transaction would hold the
        # write lock for the whole test, and every write the server makes (a session save)
        # would wait for it and fail. These tests make no concurrent writes, so their
        # connections begin transactions the default (deferred) way; the racing-update test
        # (tests/api/test_membership_writes.py) keeps IMMEDIATE.
        options = database.setdefault("OPTIONS", {})
        transaction_mode = options.pop("transaction_mode", None)
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        # Playwright's greenlets give the tests another context, and so (asgiref locals)
        # another connection than this one: close it rather than leave it idle, which on
        # PostgreSQL would stop the test database being dropped. The same below.
        connections.close_all()
        try:
            yield {
                "url": server.url,
                "cookie": {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session_key,
                    "url": server.url,
                },
            }
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            database["CONN_MAX_AGE"] = max_age
            if transaction_mode is not None:
                options["transaction_mode"] = transaction_mode
            # Leave the database as the other tests found it: the C&W facts only.
            Snapshot.objects.all().delete()
            # Uploads through the server leave their jobs and their dashboards' recompute
            # requests, which a later test's worker would otherwise pick up and publish.
            ScopeRecompute.objects.all().delete()
            ImportJob.objects.all().delete()
            Metric.objects.filter(is_synthetic=True).delete()
            Session.objects.filter(session_key=session_key).delete()
            if apps.is_installed("axes"):
                # The sign-in above was logged by django-axes.
                apps.get_model("axes", "AccessLog").objects.filter(
                    username=user.get_username()
                ).delete()
            user.delete()
            connections.close_all()


@contextmanager
def _signed_in_window(browser, portal, django_db_blocker, username: str, role: str, **options):
    """A browser window signed in as ``username``, given ``role`` (with role_grant's
    ``board_slugs`` and ``system_slugs``, if named) for the window's life; ``viewport`` is the
    window's size. The page records its console errors in ``page.errors`` and holds the user
    in ``page.user``. At the end the window closes and the session, the sign-in's log line and
    the user go."""
    from django.contrib.sessions.models import Session
    from django.db import connections

    from governance.services import role_grant

    viewport = options.pop("viewport")
    with django_db_blocker.unblock():
        user = role_grant(username=username, role=role, **options).user
        client = Client()
        client.force_login(user)
        session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        connections.close_all()
    context = browser.new_context(viewport=viewport)
    context.add_cookies([{**portal["cookie"], "value": session_key}])
    page = context.new_page()
    page.user = user
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    try:
        yield page
    finally:
        context.close()
        with django_db_blocker.unblock():
            Session.objects.filter(session_key=session_key).delete()
            if apps.is_installed("axes"):
                apps.get_model("axes", "AccessLog").objects.filter(
                    username=user.get_username()
                ).delete()
            user.delete()
            connections.close_all()


@pytest.fixture(scope="module")
def signed_in(browser, portal, django_db_blocker):
    """``with signed_in(username, role, viewport=..., board_slugs=..., system_slugs=...) as
    page``: a window signed in as a new user with that role (see ``_signed_in_window``)."""
    return partial(_signed_in_window, browser, portal, django_db_blocker)
