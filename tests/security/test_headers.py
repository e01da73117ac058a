"""Security headers on every kind of response: pages, API, errors and static files."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from governance.services import role_grant
from icsportal.api.tokens import token_issue

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple-42"


def assert_security_headers(response, *, https: bool = True) -> None:
    h = response.headers
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    assert h["X-Frame-Options"] == "DENY"
    assert re.fullmatch(r"[0-9a-f]{32}|[A-Za-z0-9._:-]{8,128}", h["X-Request-ID"])
    if https:
        hsts = h["Strict-Transport-Security"]
        assert int(re.search(r"max-age=(\d+)", hsts)[1]) >= 365 * 24 * 60 * 60
        assert "includeSubDomains" in hsts
    csp = dict(
        (d.split(" ", 1) + [""])[:2]
        for d in (p.strip() for p in h["Content-Security-Policy"].split(";"))
    )
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["default-src"] == "'self'"


def nonce_of(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])[1]


@pytest.fixture
def commissioner(db):
    user = role_grant(username="headers-commissioner", role="commissioner").user
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    ["/", "/places/warwickshire-north/", "/boards/", "/metrics/", "/me/", "/about/icons/"],
)
def test_signed_in_pages_carry_every_header_and_are_never_cached(commissioner, url):
    response = commissioner.get(url, secure=True)
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_every_inline_script_carries_the_requests_nonce_and_it_changes(commissioner):
    first = commissioner.get("/", secure=True)
    html = first.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    inline = [s for s in scripts if "src=" not in s]
    assert len(inline) == 2
    nonce = nonce_of(first)
    assert len(nonce) >= 22
    assert all(f'nonce="{nonce}"' in s for s in inline)
    assert nonce_of(commissioner.get("/", secure=True)) != nonce


def test_the_sign_in_page_and_plain_http_responses(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    # No HSTS over plain HTTP (browsers ignore it there); everything else is sent.
    assert_security_headers(response, https=False)
    assert "Strict-Transport-Security" not in response
    assert_security_headers(client.get("/accounts/login/", secure=True))


def test_api_responses_carry_every_header_and_with_a_token_are_never_cached(db):
    user = role_grant(username="headers-api", role="commissioner").user
    api = Client(HTTP_AUTHORIZATION=f"Token {token_issue(user=user).key}")
    for url in ("/api/v1/places/", "/api/v1/boards/?format=csv", "/api/schema/"):
        response = api.get(url, secure=True)
        assert response.status_code == 200, url
        assert_security_headers(response)
        if url != "/api/schema/":
            assert "no-store" in response["Cache-Control"], url
    anonymous = Client().get("/api/v1/places/", secure=True)
    assert anonymous.status_code == 401
    assert_security_headers(anonymous)


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_api_documentation_pages_run_their_scripts_by_nonce(client, url):
    response = client.get(url, secure=True)
    assert response.status_code == 200
    assert_security_headers(response)
    nonce = nonce_of(response)
    html = response.content.decode()
    inline = [s for s in re.findall(r"<script\b[^>]*>", html) if "src=" not in s]
    # Swagger UI starts from an inline script; Redoc (with no settings) from its own file.
    assert len(inline) == (1 if url == "/api/docs/" else 0)
    assert all(f'nonce="{nonce}"' in s for s in inline)
    # Nothing is fetched from another site.
    assert "fonts.googleapis.com" not in html


def test_error_pages_carry_every_header(commissioner, client, monkeypatch):
    not_found = commissioner.get("/places/atlantis/", secure=True)
    assert not_found.status_code == 404
    assert_security_headers(not_found)
    assert f'nonce="{nonce_of(not_found)}"' in not_found.content.decode()
    assert_security_headers(commissioner.get("/api/v1/nowhere/", secure=True))

    no_role = get_user_model().objects.create_user("headers-no-role", password=PASSWORD)
    refused = Client()
    refused.force_login(no_role)
    forbidden = refused.get("/", secure=True)
    assert forbidden.status_code == 403
    assert_security_headers(forbidden)
    assert "no-store" in forbidden["Cache-Control"]

    from assurance import views

    def fail(*args, **kwargs):
        raise RuntimeError("provoked for the test")

    monkeypatch.setattr(views.SystemOverviewView, "get_context_data", fail)
    broken = Client(raise_request_exception=False)
    broken.force_login(no_role)
    role_grant(username="headers-no-role", role="commissioner")
    error = broken.get("/", secure=True)
    assert error.status_code == 500
    assert_security_headers(error)
    assert "Traceback" not in error.content.decode()


def test_static_files_carry_every_header(client):
    response = client.get("/static/css/portal.css", secure=True)
    assert response.status_code == 200
    assert_security_headers(response)
    response = client.get("/static/nhsuk/nhsuk-frontend.min.js", secure=True)
    assert response.status_code == 200
    assert_security_headers(response)


def test_session_and_csrf_cookies_are_secure_and_the_session_httponly(client):
    role_grant(username="headers-cookies", role="commissioner")
    user = get_user_model().objects.get(username="headers-cookies")
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    form = client.get("/accounts/login/", secure=True)
    csrf = form.cookies["csrftoken"]
    assert csrf["secure"] is True
    response = client.post(
        "/accounts/login/",
        {"username": "headers-cookies", "password": PASSWORD},
        secure=True,
        HTTP_REFERER="https://testserver/accounts/login/",
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"


def test_production_redirects_plain_http_to_https_except_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
    assert_security_headers(response, https=False)
    assert client.get("/healthz").status_code in (200, 503)
