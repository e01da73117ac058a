"""An analyst creates, sees and revokes their API tokens on /me/, with no curl."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from governance import services
from icsportal.api.tokens import token_issue
from icsportal.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst():
    user = services.role_grant(username="page-analyst", role="analyst").user
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return user, client


def _post(client, action, **data):
    page = client.get("/me/")
    csrf = (
        page.cookies["csrftoken"].value
        if "csrftoken" in page.cookies
        else client.cookies["csrftoken"].value
    )
    return client.post("/me/", {"action": action, "csrfmiddlewaretoken": csrf, **data})


def _works(key: str) -> bool:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get("/api/v1/").status_code == 200


def test_create_see_and_revoke_tokens_one_by_one(analyst):
    user, client = analyst
    assert "You have no API token" in client.get("/me/").content.decode()
    created = _post(client, "create", name="weekly extract")
    assert created.status_code == 200
    key = created.context["new_token"]
    html = created.content.decode()
    assert key in html and "it will not be shown again" in html
    other = _post(client, "create", name="dashboard refresh").context["new_token"]
    # Shown once: the next view of the page lists both by name and prefix, never a key.
    page = client.get("/me/").content.decode()
    assert key not in page and other not in page
    assert "weekly extract" in page and "dashboard refresh" in page
    assert key[:8] in page and "Not used yet" in page
    assert _works(key) and _works(other)
    # Revoking one leaves the other working.
    nightly = ApiToken.objects.get(user=user, name="weekly extract")
    revoked = _post(client, "revoke", token=nightly.pk)
    assert revoked.status_code == 302
    page = client.get("/me/").content.decode()
    assert "“weekly extract” is revoked" in page
    assert "weekly extract" not in page.split('id="token-list"')[1]
    assert not _works(key) and _works(other)
    nightly.refresh_from_db()
    assert nightly.revoked_at is not None


def test_a_name_is_required_and_unique_and_errors_are_summarised(analyst):
    user, client = analyst
    blank = _post(client, "create", name="")
    html = blank.content.decode()
    assert blank.status_code == 200 and "new_token" not in blank.context
    assert "There is a problem" in html and "Enter a name for the token" in html
    assert 'href="#id_name"' in html and "<title>Error: " in html
    _post(client, "create", name="report")
    again = _post(client, "create", name="report")
    assert "already have a token named" in again.content.decode()
    assert ApiToken.objects.filter(user=user).count() == 1


def test_no_one_revokes_anothers_token(analyst):
    user, client = analyst
    someone = services.role_grant(username="someone-else", role="analyst").user
    theirs = token_issue(user=someone, name="theirs")
    assert _post(client, "revoke", token=theirs.token.pk).status_code == 404
    assert _works(theirs.key)


def test_the_page_says_when_a_token_expired(analyst, settings):
    user, client = analyst
    token = token_issue(user=user, name="old").token
    created = timezone.now() - dt.timedelta(days=settings.API_TOKEN_DAYS + 1)
    ApiToken.objects.filter(pk=token.pk).update(
        created=created, expires=created + dt.timedelta(days=settings.API_TOKEN_DAYS)
    )
    assert "Expired" in client.get("/me/").content.decode()


def test_the_forms_need_csrf(analyst):
    user, client = analyst
    assert client.post("/me/", {"action": "create", "name": "x"}).status_code == 403
    assert not ApiToken.objects.filter(user=user).exists()
