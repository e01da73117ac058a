"""Issue #19, small things that add up: the footer's Admin link, the portal's own error pages."""

import logging

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "shown"),
    [("commissioner", False), ("board_secretary", False), ("analyst", False), ("admin", True)],
)
def test_the_footer_links_to_the_admin_site_for_admins_only(page_client_as, role, shown):
    page = page_client_as(role).get("/boards/").content.decode()
    assert ('href="/admin/"' in page) is shown


@pytest.mark.parametrize("debug", [False, True])
def test_a_missing_page_is_the_portals_own_in_every_mode(commissioner_client, settings, debug):
    settings.DEBUG = debug
    response = commissioner_client.get("/boards/no-such-board/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and "nhsuk-header" in page
    assert "Django tried these URL patterns" not in page and "Raised by" not in page
    unrouted = commissioner_client.get("/no/such/address/")
    assert unrouted.status_code == 404 and "Page not found" in unrouted.content.decode()
    assert "URLconf" not in unrouted.content.decode()


@pytest.mark.parametrize("debug", [False, True])
def test_an_error_is_the_portals_own_page_and_its_traceback_is_logged(
    page_client_as, settings, monkeypatch, debug
):
    from assurance import views

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom in the board list")

    settings.DEBUG = debug
    monkeypatch.setattr(views.SystemOverviewView, "get_context_data", boom)
    client = page_client_as("commissioner")
    client.raise_request_exception = False
    records = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = records.append
    logging.getLogger("django.request").addHandler(handler)
    try:
        response = client.get("/")
    finally:
        logging.getLogger("django.request").removeHandler(handler)
    assert response.status_code == 500
    page = response.content.decode()
    assert "kaboom" not in page and "Traceback" not in page
    assert "problem" in page.lower()
    logged = [r for r in records if r.exc_info]
    assert logged and "kaboom" in str(logged[0].exc_info[1])


def test_api_errors_stay_json_with_debug_on(settings):
    settings.DEBUG = True
    response = Client().get("/api/v1/no-such-endpoint/")
    assert response["Content-Type"].startswith("application/json")
