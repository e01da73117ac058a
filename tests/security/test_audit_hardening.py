"""Issue 17: lockout per username and address, per-address limits, proxies, hostile input,
JSON errors under /api/, admins' powers and strong ETags."""

import json
import logging

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings
from freezegun import freeze_time
from rest_framework.test import APIClient

from governance.services import role_grant
from icsportal.models import ApiToken, key_hash

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/v1/auth/token/"
ATTACKER = "203.0.113.9"
VICTIM = "198.51.100.7"
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counts live in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def _user(username: str, role: str = "commissioner"):
    user = role_grant(username=username, role=role).user
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def member(db):
    return _user("jo-bloggs")


def _sign_in(address: str, password: str = PASSWORD, path: str = LOGIN, **headers):
    client = Client(REMOTE_ADDR=address, **headers)
    return client.post(path, {"username": "jo-bloggs", "password": password})


def _token(address: str, password: str = PASSWORD, username: str = "jo-bloggs", **headers):
    client = APIClient(REMOTE_ADDR=address, **headers)
    return client.post(TOKEN, {"username": username, "password": password}, format="json")


def _lock_out(address: str, path: str = LOGIN, **headers) -> None:
    for attempt in range(10):
        _sign_in(address, f"wrong-{attempt}", path, **headers)


# -- 1. lockout by username and address ----------------------------------------------------------


@pytest.mark.parametrize("path", [LOGIN, ADMIN_LOGIN])
def test_failures_from_one_address_do_not_lock_the_user_out_from_another(member, path):
    with freeze_time("2025-05-01 09:00:00"):
        _lock_out(ATTACKER, path)
        assert _sign_in(ATTACKER, path=path).status_code == 429
        assert _sign_in(VICTIM).status_code == 302


def test_token_failures_lock_the_username_at_that_address_only_and_answer_json(member):
    with freeze_time("2025-05-01 09:00:00"):
        for attempt in range(10):
            _token(ATTACKER, f"wrong-{attempt}")
        refused = _token(ATTACKER)
        assert refused.status_code == 429
        assert refused["Content-Type"] == "application/json"
        assert "Too many failed sign-ins" in refused.json()["detail"]
        assert not ApiToken.objects.filter(user=member).exists()
        assert _token(VICTIM).status_code == 200


def test_a_spoofed_forwarded_for_header_gives_no_fresh_allowance(member):
    # No trusted proxy (the default): X-Forwarded-For is the client's own text, ignored.
    with freeze_time("2025-05-01 09:00:00"):
        for attempt in range(10):
            _sign_in(ATTACKER, f"wrong-{attempt}", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")
        assert _sign_in(ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_address_it_forwarded_is_the_clients(member):
    with freeze_time("2025-05-01 09:00:00"):
        # What the client wrote comes first; the proxy appended the address it saw.
        _lock_out(PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {ATTACKER}")
        assert _sign_in(PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.7, {ATTACKER}").status_code == 429
        assert _sign_in(PROXY, HTTP_X_FORWARDED_FOR=VICTIM).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_the_reset_command_named_in_the_readme_lets_the_user_sign_in_again(member):
    with freeze_time("2025-05-01 09:00:00"):
        _lock_out(ATTACKER)
        assert _sign_in(ATTACKER).status_code == 429
        call_command("axes_reset_username", "jo-bloggs", verbosity=0)
        assert _sign_in(ATTACKER).status_code == 302


def test_an_admin_locked_out_is_unlocked_by_the_command_for_the_admin_site(db):
    _user("site-admin", role="admin")
    with freeze_time("2025-05-01 09:00:00"):
        client = Client(REMOTE_ADDR=ATTACKER)
        for attempt in range(10):
            client.post(ADMIN_LOGIN, {"username": "site-admin", "password": f"x-{attempt}"})
        form = {"username": "site-admin", "password": PASSWORD}
        assert client.post(ADMIN_LOGIN, form).status_code == 429
        call_command("axes_reset_username", "site-admin", verbosity=0)
        assert client.post(ADMIN_LOGIN, form).status_code == 302


# -- 1. per-address limits on sign-in and tokens -------------------------------------------------


@override_settings(SIGN_IN_RATE="3/minute")
@pytest.mark.parametrize("path", [LOGIN, ADMIN_LOGIN])
def test_the_sign_in_pages_limit_attempts_per_address_whatever_the_username(member, path):
    client = Client(REMOTE_ADDR=ATTACKER)
    for name in ("ann", "bob", "cy"):
        assert client.post(path, {"username": name, "password": "x"}).status_code == 200
    refused = client.post(path, {"username": "jo-bloggs", "password": PASSWORD})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert _sign_in(VICTIM).status_code == 302


@override_settings(SIGN_IN_RATE="3/minute")
def test_a_spoofed_forwarded_for_header_does_not_escape_the_token_throttle(member):
    for attempt in range(3):
        spoofed = _token(ATTACKER, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")
        assert spoofed.status_code == 400
    refused = _token(ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert "throttled" in refused.json()["detail"].lower()
    assert _token(VICTIM).status_code == 200


# -- 3. the cache down -----------------------------------------------------------------------------

CACHE_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


@override_settings(CACHES=CACHE_DOWN, SIGN_IN_RATE="3/minute")
def test_tokens_and_sign_in_work_with_the_cache_down_and_say_so(member, caplog):
    caplog.set_level(logging.WARNING, logger="icsportal.throttle")
    response = _token(ATTACKER)
    assert response.status_code == 200, response.content
    assert ApiToken.objects.filter(
        user=member, key_hash=key_hash(response.json()["token"])
    ).exists()
    assert _sign_in(ATTACKER).status_code == 302
    warnings = [r.getMessage() for r in caplog.records if r.name == "icsportal.throttle"]
    assert len(warnings) == 2 and all("cache is unavailable" in w for w in warnings)


# -- 5. hostile parameters and bodies; every error under /api/ is JSON --------------------------


@pytest.fixture
def analyst(db):
    from tests.api.conftest import token_client

    client = token_client("hardening-analyst", "analyst")
    client.raise_request_exception = False
    return client


def _json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


@pytest.mark.parametrize(
    ("url", "parameter", "value"),
    [
        ("/api/v1/observations/?metric=%25", "metric", "%"),
        ("/api/v1/targets/?metric=%25s%25d", "metric", "%s%d"),
        ("/api/v1/observations/?subject=%25(x)s", "subject", "%(x)s"),
    ],
)
def test_a_percent_sign_in_a_filter_value_is_a_400_naming_the_parameter(
    analyst, url, parameter, value
):
    body = _json_error(analyst.get(url), 400)
    assert list(body) == [parameter]
    assert repr(value) in body[parameter][0]


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/dashboards/rugby/?system=%00", "system"),
        ("/api/v1/dashboards/?system=ok%00", "system"),
        ("/api/v1/places/?system=%00", "system"),
        ("/api/v1/boards/?ordering=name%00", "ordering"),
    ],
)
def test_a_nul_in_a_query_parameter_is_a_400_naming_the_parameter(analyst, url, parameter):
    assert _json_error(analyst.get(url), 400) == {parameter: "Null characters are not allowed."}


def _cursor(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor("r=1&p=2020-01-01"),
        _cursor("p=not-a-number"),
        _cursor("o=-1&p=1"),
        _cursor("r=yes"),
        "%%%not-base64",
    ],
)
def test_a_forged_cursor_is_a_400_naming_the_cursor(analyst, cursor):
    body = _json_error(analyst.get("/api/v1/observations/", {"cursor": cursor}), 400)
    assert list(body) == ["cursor"]


def test_a_cursor_the_api_gave_still_works(analyst):
    first = analyst.get("/api/v1/observations/", {"page_size": 5}).json()
    assert first["next"]
    assert analyst.get(first["next"]).status_code == 200


DEEP = "[" * 100_000 + "]" * 100_000


def test_json_nested_100000_deep_is_a_400_on_the_token_endpoint(member):
    client = APIClient(raise_request_exception=False)
    body = _json_error(client.post(TOKEN, DEEP, content_type="application/json"), 400)
    assert "nests more than" in body["detail"]
    assert not ApiToken.objects.exists()


def test_json_nested_too_deep_is_a_400_and_writes_nothing(db):
    from governance.models import Membership
    from tests.api.conftest import token_client

    secretary = token_client("deep-secretary", "board_secretary", ["coventry-place-executive"])
    secretary.raise_request_exception = False
    before = Membership.objects.count()
    nested = '{"board": "coventry-place-executive", "note": ' + "[" * 40 + "]" * 40 + "}"
    for body in (DEEP, nested):
        response = secretary.post("/api/v1/memberships/", body, content_type="application/json")
        assert "nests more than" in _json_error(response, 400)["detail"]
    assert Membership.objects.count() == before


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/api/v1/no-such-endpoint/", 404),
        ("get", "/api/no-such-thing", 404),
        ("put", TOKEN, 405),
        ("get", "/api/v1/memberships/999999999/", 404),
    ],
)
def test_errors_under_api_are_json(analyst, method, url, status):
    body = _json_error(getattr(analyst, method)(url), status)
    assert body["detail"]


def test_an_unsupported_body_type_is_a_json_415(member):
    client = APIClient()
    response = client.post(TOKEN, "username=x", content_type="text/plain")
    assert "Unsupported media type" in _json_error(response, 415)["detail"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_too_large_for_django_is_a_json_error(member):
    client = APIClient(raise_request_exception=False)
    response = client.post(TOKEN, {"username": "x" * 2000, "password": "y"}, format="multipart")
    assert response.status_code in (400, 413)
    assert response.json()["detail"]


def test_a_server_error_under_api_is_json_and_not_a_page(analyst, monkeypatch):
    import assurance.api.dashboard_views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(assurance.api.dashboard_views, "place_dashboard", broken)
    body = _json_error(analyst.get("/api/v1/dashboards/rugby/"), 500)
    assert "boom" not in body["detail"]


def test_a_csrf_failure_under_api_is_json(db):
    from django.views.csrf import csrf_failure

    request = Client().get("/api/v1/").wsgi_request
    assert request.path == "/api/v1/"
    # Django's CSRF failure page, answered to an /api/ request, passes through the middleware.
    from icsportal.middleware import ApiJsonErrorsMiddleware

    response = ApiJsonErrorsMiddleware(lambda r: csrf_failure(r, reason="no token"))(request)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"detail": "Forbidden."}


# -- 6. admins hold every secretary power; no token without a role --------------------------------


def test_an_admin_adds_changes_and_ends_memberships_of_any_board_through_the_api(db):
    from governance.models import Board, Membership
    from tests.api.conftest import token_client

    admin = token_client("hardening-admin", "admin")
    board = Board.objects.get(slug="coventry-place-executive")
    created = admin.post(
        "/api/v1/memberships/",
        {
            "board": board.slug,
            "person_name": "Admin Added",
            "role": "member",
            "start_date": "2025-04-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    seat = Membership.objects.get(pk=created.json()["id"])
    assert seat.board == board and seat.person.name == "Admin Added"
    changed = admin.patch(
        f"/api/v1/memberships/{seat.pk}/",
        {"label": "changed by an admin"},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert changed.status_code == 200, changed.content
    ended = admin.post(
        f"/api/v1/memberships/{seat.pk}/end/",
        {"end_date": "2030-01-01", "end_reason": "resigned"},
        format="json",
        HTTP_IF_MATCH=changed["ETag"],
    )
    assert ended.status_code == 200, ended.content
    seat.refresh_from_db()
    assert seat.label == "changed by an admin" and str(seat.end_date) == "2030-01-01"


def test_an_admin_may_edit_every_board_and_sees_the_edit_links(db):
    from governance.models import Board
    from governance.permissions import can_edit_board, editable_board_ids

    admin = role_grant(username="perm-admin", role="admin").user
    assert editable_board_ids(admin) == frozenset(Board.objects.values_list("pk", flat=True))
    assert all(can_edit_board(admin, board) for board in Board.objects.all())
    client = Client()
    client.force_login(admin)
    page = client.get("/boards/coventry-place-executive/").content.decode()
    assert "/boards/coventry-place-executive/members/add/" in page


def test_a_user_without_a_portal_role_is_refused_a_token_and_none_is_written(db):
    user = get_user_model().objects.create(username="no-role-at-all")
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    response = _token(VICTIM, username="no-role-at-all")
    assert response.status_code == 403
    assert "no portal role" in response.json()["detail"]
    assert not ApiToken.objects.filter(user=user).exists()


# -- 7. If-Match uses the strong comparison ------------------------------------------------------


@pytest.mark.parametrize(
    "if_match",
    ['W/"{pk}.{version}"', 'w/"{pk}.{version}"', "{pk}.{version}", '"{pk}.{version}x"'],
)
def test_if_match_with_anything_but_the_strong_etag_is_412_and_changes_nothing(db, if_match):
    from governance.models import Membership
    from tests.api.conftest import token_client

    board = "coventry-place-executive"
    secretary = token_client("etag-secretary", "board_secretary", [board])
    seat = Membership.objects.filter(board__slug=board).order_by("pk").first()
    strong = secretary.get(f"/api/v1/memberships/{seat.pk}/")["ETag"]
    assert strong == f'"{seat.pk}.{seat.version}"'
    header = if_match.format(pk=seat.pk, version=seat.version)
    url = f"/api/v1/memberships/{seat.pk}/"
    refused = secretary.patch(url, {"label": "weak"}, format="json", HTTP_IF_MATCH=header)
    assert refused.status_code == 412
    assert refused["Content-Type"] == "application/json"
    seat.refresh_from_db()
    assert seat.label != "weak"
    accepted = secretary.patch(url, {"label": "strong"}, format="json", HTTP_IF_MATCH=strong)
    assert accepted.status_code == 200


@pytest.mark.parametrize(
    ("if_match", "status"),
    [
        ('"{pk}.{version}", "{pk}.{old}"', 200),
        ('"{pk}.{old}", "{pk}.{version}"', 200),
        ('W/"{pk}.{old}",  "{pk}.{version}"', 200),
        ('"{other}.{version}","{pk}.{version}"', 200),
        ("*", 200),
        ('"{pk}.{old}", W/"{pk}.{version}"', 412),
        ('"{pk}.{old}", "{other}.{version}"', 412),
        ('"{pk}.{version}"x, "{pk}.{old}"', 412),
        ('"a,{pk}.{version}", "{pk}.{old}"', 412),
    ],
)
def test_if_match_accepts_a_list_when_any_strong_tag_matches(db, if_match, status):
    from governance.models import Membership
    from tests.api.conftest import token_client

    board = "coventry-place-executive"
    secretary = token_client("etag-secretary", "board_secretary", [board])
    seat, other = Membership.objects.filter(board__slug=board).order_by("pk")[:2]
    Membership.objects.filter(pk=seat.pk).update(version=seat.version + 1)
    seat.refresh_from_db()
    header = if_match.format(pk=seat.pk, version=seat.version, old=seat.version - 1, other=other.pk)
    url = f"/api/v1/memberships/{seat.pk}/"
    response = secretary.patch(url, {"label": "listed"}, format="json", HTTP_IF_MATCH=header)
    assert response.status_code == status, response.content
    version = seat.version
    seat.refresh_from_db()
    assert (seat.label == "listed") == (status == 200)
    assert seat.version == version + (status == 200)
