"""API tokens: kept as hashes, several per user, each named and revoked on its own."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from rest_framework.test import APIClient

from governance.services import role_grant
from icsportal.api.tokens import MAX_USABLE_TOKENS, token_issue, token_revoke
from icsportal.models import ApiToken

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"
PASSWORD = "a-long-enough-password"


@pytest.fixture
def analyst():
    user = role_grant(username="tokens-analyst", role="analyst").user
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _post(user, **extra):
    return APIClient().post(TOKEN, {"username": user.username, "password": PASSWORD, **extra})


def test_no_column_holds_the_key_only_its_hash_and_prefix(analyst):
    key = _post(analyst, name="nightly upload script").json()["token"]
    token = ApiToken.objects.get(user=analyst)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert (token.name, token.prefix) == ("nightly upload script", key[:8])
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM icsportal_apitoken")
        stored = [str(value) for row in cursor.fetchall() for value in row]
    assert not any(key in value for value in stored)


def test_each_post_issues_another_token_and_each_works(analyst):
    first, second = _post(analyst).json(), _post(analyst).json()
    assert first["token"] != second["token"] and first["name"] != second["name"]
    assert first["name"].startswith("API token ")
    for body in (first, second):
        assert _client(body["token"]).get("/api/v1/places/").status_code == 200
    assert ApiToken.objects.filter(user=analyst).count() == 2


def test_revoking_one_token_leaves_the_others_and_is_recorded(analyst):
    keep, drop = _post(analyst, name="keep").json(), _post(analyst, name="drop").json()
    assert _client(drop["token"]).delete(TOKEN).status_code == 204
    response = _client(drop["token"]).get("/api/v1/places/")
    assert (response.status_code, response.json()["detail"]) == (401, "Invalid token.")
    assert _client(keep["token"]).get("/api/v1/places/").status_code == 200
    revoked = ApiToken.objects.get(name="drop")
    assert revoked.revoked_at is not None
    # Its name is free again once it is revoked.
    assert _post(analyst, name="drop").status_code == 200


def test_a_name_is_unique_among_a_users_live_tokens(analyst):
    assert _post(analyst, name="report").status_code == 200
    response = _post(analyst, name="report")
    assert response.status_code == 400
    assert "already have a token named" in response.json()["name"][0]
    assert ApiToken.objects.filter(user=analyst).count() == 1


def test_a_user_holds_at_most_ten_usable_tokens(analyst):
    for n in range(MAX_USABLE_TOKENS):
        token_issue(user=analyst, name=f"script {n}")
    response = _post(analyst, name="one too many")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert f"already hold {MAX_USABLE_TOKENS} tokens" in response.json()["detail"][0]
    assert not ApiToken.objects.filter(name="one too many").exists()
    # Revoking one makes room.
    token_revoke(token=ApiToken.objects.get(name="script 0"))
    assert _post(analyst, name="one too many").status_code == 200


def test_expired_tokens_fail_and_leave_room(analyst, settings):
    issued = token_issue(user=analyst, name="old")
    created = timezone.now() - dt.timedelta(days=settings.API_TOKEN_DAYS + 1)
    ApiToken.objects.filter(pk=issued.token.pk).update(
        created=created, expires=created + dt.timedelta(days=settings.API_TOKEN_DAYS)
    )
    response = _client(issued.key).get("/api/v1/places/")
    assert (response.status_code, response.json()["detail"]) == (
        401,
        "Token has expired; request a new one.",
    )
    for n in range(MAX_USABLE_TOKENS):
        token_issue(user=analyst, name=f"script {n}")
    with pytest.raises(ValidationError):
        token_issue(user=analyst, name="eleventh")


def test_a_new_token_expires_after_the_configured_days(analyst, settings):
    settings.API_TOKEN_DAYS = 7
    token = token_issue(user=analyst, name="week").token
    assert token.expires - token.created == dt.timedelta(days=7)


def test_the_last_use_is_written_at_most_once_a_minute(analyst):
    issued = token_issue(user=analyst, name="used")
    client = _client(issued.key)
    client.get("/api/v1/places/")
    used = ApiToken.objects.get(pk=issued.token.pk).last_used_at
    assert used is not None
    client.get("/api/v1/places/")
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == used
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=used - dt.timedelta(minutes=2))
    client.get("/api/v1/places/")
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at > used - dt.timedelta(minutes=1)


# -- the move from DRF's plain-key tokens ------------------------------------------------------

BEFORE = [("icsportal", "0002_apitoken")]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_an_existing_drf_token_keeps_working_hashed(settings):
    user = role_grant(username="drf-token-holder", role="analyst").user
    executor = _migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    key = "0123456789abcdef0123456789abcdef01234567"
    created = timezone.now() - dt.timedelta(days=3)
    last_used = timezone.now() - dt.timedelta(hours=2)
    old_token = old_apps.get_model("authtoken", "Token").objects.create(key=key, user_id=user.pk)
    old_apps.get_model("authtoken", "Token").objects.filter(pk=key).update(created=created)
    old_apps.get_model("icsportal", "TokenUse").objects.create(
        token_id=old_token.pk, last_used_at=last_used
    )

    _migrate(executor.loader.graph.leaf_nodes())

    token = ApiToken.objects.get(user=user)
    assert (token.name, token.prefix, token.created, token.last_used_at, token.revoked_at) == (
        "API token",
        key[:8],
        created,
        last_used,
        None,
    )
    assert token.expires == created + dt.timedelta(days=settings.API_TOKEN_DAYS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone() == (0,)
    assert _client(key).get("/api/v1/places/").status_code == 200


def test_the_admin_lists_tokens_without_keys_and_revokes_them(analyst, admin_client):
    issued = token_issue(user=analyst, name="listed")
    page = admin_client.get("/admin/icsportal/apitoken/").content.decode()
    assert "listed" in page and issued.token.prefix in page and issued.key not in page
    response = admin_client.post(
        "/admin/icsportal/apitoken/",
        {"action": "revoke", "_selected_action": [issued.token.pk]},
    )
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None
    assert _client(issued.key).get("/api/v1/places/").status_code == 401
    # Kept, not deleted; and never added there (a key is shown only to its owner).
    assert admin_client.get("/admin/icsportal/apitoken/add/").status_code == 403
