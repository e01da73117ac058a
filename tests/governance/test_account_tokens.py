"""An analyst creates, sees and revokes their API token on /me/, with no curl."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from governance import services
from icsportal.models import TokenUse

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst():
    user = services.role_grant(username="page-analyst", role="analyst").user
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return user, client


def _post(client, action):
    page = client.get("/me/")
    csrf = (
        page.cookies["csrftoken"].value
        if "csrftoken" in page.cookies
        else client.cookies["csrftoken"].value
    )
    return client.post("/me/", {"action": action, "csrfmiddlewaretoken": csrf})


def test_create_use_see_and_revoke_a_token(analyst):
    user, client = analyst
    assert "You have no API token" in client.get("/me/").content.decode()
    created = _post(client, "create")
    assert created.status_code == 200
    token = Token.objects.get(user=user)
    html = created.content.decode()
    assert token.key in html and "not shown again" in html
    # Shown once: the next view of the page has its dates, never its key.
    page = client.get("/me/").content.decode()
    assert token.key not in page
    assert "Not used yet" in page and "Expires" in page
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/").status_code == 200
    used = TokenUse.objects.get(token=token).last_used_at
    assert "Not used yet" not in client.get("/me/").content.decode()
    # Within the minute a use is not written again.
    assert api.get("/api/v1/").status_code == 200
    assert TokenUse.objects.get(token=token).last_used_at == used
    TokenUse.objects.filter(token=token).update(last_used_at=used - dt.timedelta(minutes=2))
    api.get("/api/v1/")
    assert TokenUse.objects.get(token=token).last_used_at > used - dt.timedelta(minutes=1)
    # Replacing it stops the old one working.
    _post(client, "create")
    assert api.get("/api/v1/").status_code == 401
    revoked = _post(client, "revoke")
    assert revoked.status_code == 302
    assert not Token.objects.filter(user=user).exists()


def test_the_page_says_when_a_token_expired(analyst, settings):
    user, client = analyst
    token = Token.objects.create(user=user)
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - dt.timedelta(days=settings.API_TOKEN_DAYS + 1)
    )
    assert "Expired" in client.get("/me/").content.decode()


def test_the_forms_need_csrf(analyst):
    user, client = analyst
    assert client.post("/me/", {"action": "create"}).status_code == 403
    assert not Token.objects.filter(user=user).exists()
