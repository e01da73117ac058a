"""The system switcher in a real browser, each page checked with axe (WCAG 2.2 A and AA): a
commissioner granted both systems switches from Coventry and Warwickshire to the second
(synthetic) system and back, and reads each one's overview and Place pages."""

from contextlib import ExitStack

import pytest

from tests.e2e.test_browser import WIDTHS, check_page

# The marker makes pytest-django create the test database; the test reads it through the server.
pytestmark = pytest.mark.django_db

CW, EN = "coventry-and-warwickshire", "eastmoor-and-northvale"


@pytest.fixture(scope="module")
def second_system(portal, django_db_blocker):
    """The second system loaded beside C&W for the module, and removed again at the end."""
    import json

    from django.db import connections

    from icsportal.loading import system_load, system_unload
    from tests.systems.conftest import SECOND_FIXTURE

    with django_db_blocker.unblock():
        system_load(fixture=json.loads(SECOND_FIXTURE.read_text(encoding="utf-8")))
        connections.close_all()
    try:
        yield EN
    finally:
        with django_db_blocker.unblock():
            system_unload(slug=EN)
            connections.close_all()


@pytest.fixture(scope="module")
def both_windows(signed_in, second_system):
    """A window of each width signed in as a commissioner granted both systems (made before
    any test's transaction, so the server sees the session)."""
    with ExitStack() as stack:
        yield {
            width: stack.enter_context(
                signed_in(
                    f"e2e-both-systems-{width}",
                    "commissioner",
                    system_slugs=[CW, EN],
                    viewport=viewport,
                )
            )
            for width, viewport in WIDTHS.items()
        }


@pytest.mark.parametrize("width", WIDTHS)
def test_a_user_of_both_systems_switches_between_them(
    both_windows, portal, artifacts, axe_script, width
):
    page = both_windows[width]
    page.errors = []
    page.goto(portal["url"] + "/")
    assert page.locator("h1").inner_text().startswith("Coventry and Warwickshire")
    switcher = page.get_by_label("System", exact=True)
    options = switcher.locator("option").all_inner_texts()
    assert len(options) == 2 and options[1].endswith("(synthetic)")
    check_page(page, axe_script, artifacts, f"switcher-cw-{width}")

    switcher.select_option(EN)
    page.get_by_role("button", name="Show this system").click()
    page.wait_for_url(f"**/?system={EN}")
    assert page.locator("h1").inner_text().startswith("Eastmoor and Northvale")
    assert page.locator(f"#portal-system option[value='{EN}']").evaluate("o => o.selected")
    check_page(page, axe_script, artifacts, f"switcher-en-{width}")

    # The second system's Places are its own pages, and C&W's are not on its overview.
    overview = page.locator("main").inner_text()
    assert "Kestrel" in overview and "Rugby" not in overview
    page.goto(portal["url"] + "/places/en-kestrel/")
    assert page.locator("h1").inner_text() == "Kestrel"
    check_page(page, axe_script, artifacts, f"switcher-en-place-{width}")

    # A Place's page belongs to one system and has no switcher: back to the overview, and
    # from there to C&W.
    assert page.get_by_label("System", exact=True).count() == 0
    page.go_back()
    page.get_by_label("System", exact=True).select_option(CW)
    page.get_by_role("button", name="Show this system").click()
    page.wait_for_url(f"**/?system={CW}")
    assert page.locator("h1").inner_text().startswith("Coventry and Warwickshire")
    assert "Rugby" in page.locator("main").inner_text()
    check_page(page, axe_script, artifacts, f"switcher-back-{width}")


def test_a_key_both_systems_share_asks_which_system(both_windows, portal, artifacts, axe_script):
    """A risk's address without its system, for a user of both systems that share the key: the
    choice page (HTTP 300) names both, passes axe, and each choice opens that system's risk."""
    from assurance.models import Risk

    key = Risk.objects.filter(system__slug=EN).values_list("key", flat=True).first()
    assert Risk.objects.filter(system__slug=CW, key=key).exists()
    page = both_windows["desktop"]
    page.errors = []
    response = page.goto(f"{portal['url']}/boards/risks/{key}/")
    assert response.status == 300
    assert page.locator("h1").inner_text() == "Which system do you mean?"
    choices = page.locator("main li a")
    assert choices.count() == 2
    check_page(page, axe_script, artifacts, "system-choice")
    page.locator("main li", has_text="Eastmoor and Northvale").locator("a").click()
    page.wait_for_url(f"**/boards/risks/{key}/?system={EN}")
    assert page.locator("h1").count() == 1
    assert "Eastmoor and Northvale" in page.locator("main").inner_text()
