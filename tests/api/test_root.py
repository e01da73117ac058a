"""GET /api/v1/ lists every endpoint with its URL."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_root_lists_every_endpoint_that_takes_no_argument(analyst, client):
    response = analyst.get("/api/v1/")
    assert response.status_code == 200, response.content
    root = response.json()
    urls = set(root.values())
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path in schema["paths"]:
        if "{" not in path and path != "/api/v1/":
            assert f"http://testserver{path}" in urls, path
    # The ones outside the routers, by name.
    assert root["auth/token"] == "http://testserver/api/v1/auth/token/"
    assert root["export/popolo.json"] == "http://testserver/api/v1/export/popolo.json"
    assert root["observations/bulk"] == "http://testserver/api/v1/observations/bulk/"
    assert root["dashboards"] == "http://testserver/api/v1/dashboards/"
    assert root["schema"] == "http://testserver/api/schema/"
    # Each URL answers (or refuses a GET with 405, as the upload and token endpoints do).
    for url in urls:
        assert analyst.get(url).status_code in (200, 400, 404, 405), url


def test_the_root_needs_a_portal_role(api_as):
    assert api_as(None).get("/api/v1/").status_code in (401, 403)
