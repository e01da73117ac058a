"""Signing in and out, password rules, lockout after repeated failures, session lifetimes."""

import datetime as dt
import logging

import pytest
from axes.models import AccessFailureLog
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from governance.services import role_grant
from icsportal import settings as portal_settings

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
LOGIN = "/accounts/login/"


@pytest.fixture
def member(db):
    user = role_grant(username="jo-bloggs", role="commissioner").user
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def _sign_in(client, password=PASSWORD, username="jo-bloggs", **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_argon2_is_the_first_hasher_in_the_portals_settings():
    assert portal_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=portal_settings.PASSWORD_HASHERS):
        hashed = make_password("a long enough passphrase")
        assert hashed.startswith("argon2$")
        assert check_password("a long enough passphrase", hashed)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Sh0rt!pass", "at least 12 characters"),
        ("password1234", "too common"),
        ("123456789012", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(password, reason):
    with pytest.raises(ValidationError, match=reason):
        validate_password(password)


def test_a_long_uncommon_password_is_accepted():
    validate_password("tangerine-orbit-quietly-41")


def test_every_page_needs_signing_in_except_sign_in_healthz_accessibility_and_static(client):
    for url in ("/", "/boards/", "/boards/warwickshire-north-place-executive/", "/me/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next={url}"
    assert client.get(LOGIN).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/accessibility/").status_code == 200
    assert client.get("/static/css/portal.css").status_code == 200


def test_the_sign_in_page_links_each_error_to_its_field(client, member):
    html = client.post(LOGIN, {"username": "", "password": ""}).content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_username">Enter your username</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html
    assert 'class="nhsuk-error-message" id="id_username-error"' in html
    html = _sign_in(client, password="wrong-password").content.decode()
    assert '<a href="#id_username">Enter a correct username and password' in html
    assert 'value="jo-bloggs"' in html and "wrong-password" not in html


def test_sign_in_then_sign_out_to_the_signed_out_page(client, member):
    response = _sign_in(client, next="/boards/")
    assert response.status_code == 302 and response["Location"] == "/boards/"
    assert client.get("/boards/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 200
    assert "You have signed out" in response.content.decode()
    assert client.get("/boards/").status_code == 302


def test_sign_in_needs_a_csrf_token(member):
    client = Client(enforce_csrf_checks=True)
    assert _sign_in(client).status_code == 403


def test_ten_failures_lock_the_username_at_that_address_even_for_the_right_password(
    client, member, caplog
):
    caplog.set_level(logging.WARNING, logger="governance.lockout")
    with freeze_time("2025-05-01 09:00:00") as clock:
        for attempt in range(1, 10):
            response = _sign_in(client, password=f"wrong-{attempt}")
            assert response.status_code == 200, attempt
            clock.tick(dt.timedelta(seconds=30))
        response = _sign_in(client, password="wrong-10")
        assert response.status_code == 429
        assert "This account is locked" in response.content.decode()
        assert response["Retry-After"] == "900"

        clock.tick(dt.timedelta(seconds=10))
        eleventh = _sign_in(client)
        assert eleventh.status_code == 429
        assert "_auth_user_id" not in client.session
        assert client.get("/boards/").status_code == 302

        # Locked for 15 minutes from the lockout; the refused attempts do not extend it.
        clock.tick(dt.timedelta(minutes=14, seconds=40))
        assert _sign_in(client).status_code == 429
        clock.tick(dt.timedelta(seconds=21))
        assert _sign_in(client).status_code == 302
        assert client.get("/boards/").status_code == 200

    messages = [r.getMessage() for r in caplog.records if r.name == "governance.lockout"]
    assert sum("Failed sign-in for username 'jo-bloggs' at 127.0.0.1" in m for m in messages) == 9
    assert sum("Locked out username 'jo-bloggs' at 127.0.0.1" in m for m in messages) == 1
    assert sum("Sign-in refused: username 'jo-bloggs' is locked out" in m for m in messages) == 2
    assert AccessFailureLog.objects.filter(username="jo-bloggs", locked_out=True).count() == 1


def test_failures_with_a_quiet_quarter_hour_between_them_start_counting_again(client, member):
    with freeze_time("2025-05-01 09:00:00") as clock:
        for attempt in range(9):
            assert _sign_in(client, password=f"wrong-{attempt}").status_code == 200
        clock.tick(dt.timedelta(minutes=15, seconds=1))
        for attempt in range(9):
            assert _sign_in(client, password=f"again-{attempt}").status_code == 200
        assert _sign_in(client).status_code == 302


def test_a_lockout_is_per_username(client, member):
    other = get_user_model().objects.create(username="someone-else")
    other.set_password(PASSWORD)
    other.save(update_fields=["password"])
    role_grant(username="someone-else", role="analyst")
    with freeze_time("2025-05-01 09:00:00"):
        for attempt in range(10):
            _sign_in(client, password=f"wrong-{attempt}")
        assert _sign_in(client).status_code == 429
        assert _sign_in(Client(), username="someone-else").status_code == 302


def test_a_session_ends_after_thirty_minutes_idle(client, member):
    with freeze_time("2025-05-01 09:00:00") as clock:
        assert _sign_in(client).status_code == 302
        clock.tick(dt.timedelta(minutes=29))
        assert client.get("/boards/").status_code == 200
        clock.tick(dt.timedelta(minutes=29))
        assert client.get("/boards/").status_code == 200
        clock.tick(dt.timedelta(minutes=30, seconds=1))
        response = client.get("/boards/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_busy_session_ends_twelve_hours_after_signing_in(client, member):
    with freeze_time("2025-05-01 09:00:00") as clock:
        assert _sign_in(client).status_code == 302
        for _ in range(28):
            clock.tick(dt.timedelta(minutes=25))
            assert client.get("/boards/").status_code == 200
        clock.tick(dt.timedelta(minutes=20, seconds=1))  # 12 hours and a second
        response = client.get("/boards/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
        assert "_auth_user_id" not in client.session
        # Signing in again starts a new 12 hours.
        assert _sign_in(client).status_code == 302
        clock.tick(dt.timedelta(minutes=25))
        assert client.get("/boards/").status_code == 200


def _session_statements(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries if "django_session" in q["sql"]]


def test_a_session_is_saved_at_most_once_a_minute(client, member):
    with freeze_time("2025-05-01 09:00:00") as clock:
        assert _sign_in(client).status_code == 302
        clock.tick(dt.timedelta(seconds=30))
        # Within a minute of the last save: the session is read, not written.
        statements = _session_statements(client, "/boards/")
        assert len(statements) == 1 and statements[0].startswith("SELECT"), statements
        clock.tick(dt.timedelta(seconds=31))
        # A minute on: saved again, its expiry renewed.
        statements = _session_statements(client, "/boards/")
        assert any(s.startswith("UPDATE") for s in statements), statements


def test_the_idle_limit_counts_from_the_last_save(client, member):
    with freeze_time("2025-05-01 09:00:00") as clock:
        assert _sign_in(client).status_code == 302
        # Seen 30 s after signing in: too soon to save, so the expiry stays 09:30.
        clock.tick(dt.timedelta(seconds=30))
        assert client.get("/boards/").status_code == 200
        clock.tick(dt.timedelta(minutes=29, seconds=31))  # 09:30:01, 29.5 minutes idle
        response = client.get("/boards/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_request_a_minute_after_the_last_save_keeps_the_session_alive(client, member):
    with freeze_time("2025-05-01 09:00:00") as clock:
        assert _sign_in(client).status_code == 302
        for _ in range(40):  # 40 minutes of a request every 61 seconds
            clock.tick(dt.timedelta(seconds=61))
            assert client.get("/boards/").status_code == 200


def test_the_user_and_role_are_read_in_one_query_and_a_revoked_role_stops_at_once(client, member):
    from governance.models import RoleGrant

    client.force_login(member)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/boards/").status_code == 200
    users = [q["sql"] for q in ctx.captured_queries if 'FROM "auth_user"' in q["sql"]]
    assert len(users) == 1 and "governance_rolegrant" in users[0], users
    assert not any(
        q["sql"].startswith("SELECT") and 'FROM "governance_rolegrant"' in q["sql"]
        for q in ctx.captured_queries
    )
    RoleGrant.objects.filter(user=member).delete()
    assert client.get("/boards/").status_code == 403


def test_the_systems_of_a_grant_are_read_with_the_user_and_role(client):
    """A role held in some systems: the systems come in the user's own query, and hold."""
    from governance.models import Board

    user = role_grant(
        username="one-system", role="commissioner", system_slugs=["coventry-and-warwickshire"]
    ).user
    client.force_login(user)
    board = Board.objects.order_by("slug").first()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(board.get_absolute_url()).status_code == 200
    users = [q["sql"] for q in ctx.captured_queries if 'FROM "auth_user"' in q["sql"]]
    assert len(users) == 1 and "governance_rolegrant_systems" in users[0], users
    assert not any(
        'FROM "governance_rolegrant_systems"' in q["sql"] for q in ctx.captured_queries
    ), "the grant's systems were read again"
    # Granted no system at all (a grant naming none holds none), the board is no page.
    user.portal_role.systems.clear()
    assert client.get(board.get_absolute_url()).status_code == 404


def test_a_signed_in_user_without_a_role_can_only_sign_out(client):
    user = get_user_model().objects.create(username="no-role")
    client.force_login(user)
    assert client.get("/boards/").status_code == 403
    assert "You cannot do this" in client.get("/").content.decode()
    assert client.post("/accounts/logout/").status_code == 200
