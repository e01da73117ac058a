"""A board secretary's meeting journey in a real browser, each page checked with axe (WCAG 2.2
A and AA): schedule a meeting, build its agenda, record an interest and see the conflict prompt,
read and publish the pack (and its PDF), record attendance and an action."""

import datetime as dt
import re

import pytest

from tests.e2e.test_browser import WIDTHS, check_page

# The marker makes pytest-django create the test database; the test reads it through the server.
pytestmark = pytest.mark.django_db

BOARD = "warwickshire-north-place-executive"


@pytest.fixture(scope="module")
def meeting_secretary(signed_in, django_db_blocker):
    """A window signed in as the board's secretary, with a named seat to record; the meetings,
    interests and people made here are removed at the end."""
    from django.db import connections

    from governance.models import Board, Membership, Organisation, Person

    with django_db_blocker.unblock():
        board = Board.objects.get(slug=BOARD)
        person = Person.objects.create(
            key="e2e-meeting-member", name="Dr Erin Example", system=board.system
        )
        seat = Membership.objects.create(
            board=board, person=person, role="member", start_date=dt.date(2024, 4, 1)
        )
        Organisation.objects.create(
            key="e2e-acme", system=board.system, name="Acme Community Care", kind="other"
        )
        connections.close_all()
    with signed_in(
        "e2e-meeting-secretary",
        "board_secretary",
        board_slugs=[BOARD],
        viewport=WIDTHS["desktop"],
    ) as page:
        yield page
        with django_db_blocker.unblock():
            from governance.models import (
                Action,
                AgendaItem,
                Attendance,
                Decision,
                Declaration,
                Interest,
                Meeting,
            )

            # Every row made here and its history, so the tests after these find none of it.
            meeting_ids = list(Meeting.objects.filter(board=board).values_list("pk", flat=True))
            item_ids = list(
                AgendaItem.objects.filter(meeting_id__in=meeting_ids).values_list("pk", flat=True)
            )
            Action.objects.filter(board=board).delete()
            Action.history.filter(board_id=board.pk).delete()
            Meeting.objects.filter(pk__in=meeting_ids).delete()
            Meeting.history.filter(board_id=board.pk).delete()
            for model in (AgendaItem, Attendance):
                model.history.filter(meeting_id__in=meeting_ids).delete()
            for model in (Decision, Declaration):
                model.history.filter(item_id__in=item_ids).delete()
            Interest.objects.filter(person=person).delete()
            Interest.history.filter(person_id=person.pk).delete()
            # delete() empties pk: the ids are read first.
            seat_id, person_id = seat.pk, person.pk
            seat.delete()
            Membership.history.filter(id=seat_id).delete()
            person.delete()
            Person.history.filter(id=person_id).delete()
            Organisation.objects.filter(key="e2e-acme").delete()
            connections.close_all()


def test_a_secretary_runs_a_meeting(meeting_secretary, portal, artifacts, axe_script):
    page = meeting_secretary
    base = portal["url"]

    page.goto(f"{base}/boards/{BOARD}/")
    page.get_by_role("link", name="Schedule a meeting").click()
    page.wait_for_url("**/meetings/add/")
    # Sent empty: the error summary links to each field.
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    check_page(page, axe_script, artifacts, "meeting-errors")
    next_year = dt.date.today().year + 1
    page.locator("#id_title").fill("Summer meeting")
    page.locator("#id_day_day").fill("10")
    page.locator("#id_day_month").fill("6")
    page.locator("#id_day_year").fill(str(next_year))
    page.locator("#id_time").fill("14:00")
    page.locator("#id_location").fill("Nuneaton Town Hall")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/meetings/*/")
    meeting_url = page.url
    check_page(page, axe_script, artifacts, "meeting-new")

    page.get_by_role("link", name="Add an agenda item").click()
    page.locator("#id_title").fill("Community services contract")
    page.locator("#id_purpose").select_option("decision")
    page.get_by_label("Acme Community Care", exact=True).check()
    page.get_by_label("Yes").check()
    check_page(page, axe_script, artifacts, "meeting-item-form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(meeting_url + "#agenda")

    page.get_by_role("link", name="Record an interest").click()
    page.locator("#id_person").select_option(label="Dr Erin Example")
    page.locator("#id_organisation").select_option(label="Acme Community Care")
    page.locator("#id_description").fill("Trustee")
    page.locator("#id_kind").select_option("non_financial_professional")
    page.locator("#id_declared_on_day").fill("1")
    page.locator("#id_declared_on_month").fill("1")
    page.locator("#id_declared_on_year").fill(str(next_year))
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(meeting_url + "#conflicts")
    assert "interest in Acme Community Care" in page.locator("#conflicts").inner_text()
    check_page(page, axe_script, artifacts, "meeting-conflict")

    page.get_by_role("link", name="the board pack").click()
    page.wait_for_url("**/pack/")
    assert "Community services contract" in page.locator("#agenda + ol").inner_text()
    assert page.locator("#conflicts").is_visible()
    check_page(page, axe_script, artifacts, "meeting-pack")
    pdf = page.request.get(page.url.replace("/pack/", "/pack.pdf"))
    assert pdf.ok and pdf.body().startswith(b"%PDF-")
    page.get_by_role("button", name="Publish the pack").click()
    page.wait_for_load_state()
    assert "Published" in page.locator("main").inner_text()

    page.goto(meeting_url)
    page.get_by_role("link", name="Record attendance").click()
    page.get_by_label("Dr Erin Example", exact=True).select_option("present")
    check_page(page, axe_script, artifacts, "meeting-attendance-form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(meeting_url + "#attendance")
    assert "quorate" in page.locator("#meeting-quorum").inner_text().lower() or (
        "quorum is not stated" in page.locator("#meeting-quorum").inner_text()
    )

    page.get_by_role("link", name="Record an action").click()
    page.locator("#id_description").fill("Bring the contract's risks")
    page.locator("#id_owner").fill("Place director")
    page.locator("#id_due_date_day").fill("1")
    page.locator("#id_due_date_month").fill("7")
    page.locator("#id_due_date_year").fill(str(next_year))
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(meeting_url + "#actions")
    assert "Bring the contract" in page.locator("main").inner_text()
    check_page(page, axe_script, artifacts, "meeting-done")
    page.set_viewport_size(WIDTHS["phone"])
    check_page(page, axe_script, artifacts, "meeting-done-phone")
    page.set_viewport_size(WIDTHS["desktop"])


def _submit(page, name: str | re.Pattern) -> None:
    """Press the form's button and wait for the page the server answers with."""
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def _fill_date(page, field: str, day: str, month: str, year: str) -> None:
    for part, value in (("day", day), ("month", month), ("year", year)):
        page.locator(f"#id_{field}_{part}").fill(value)


def test_a_secretary_keeps_a_register_of_interests(
    meeting_secretary, portal, artifacts, axe_script
):
    """A member's register of interests and its forms: adding an entry (with its errors),
    changing it (an end before its start refused by name), confirming it for the year and
    ending it; every page passes axe."""
    page = meeting_secretary
    year = str(dt.date.today().year)

    page.goto(f"{portal['url']}/boards/people/e2e-meeting-member/interests/")
    assert page.locator("h1").inner_text() == "Register of interests"
    check_page(page, axe_script, artifacts, "interests-register")

    # Sent empty: the error summary names each required field.
    _submit(page, "Add the interest")
    assert page.locator(".nhsuk-error-summary").is_visible()
    check_page(page, axe_script, artifacts, "interests-add-errors")
    page.locator("#id_organisation").select_option(label="Acme Community Care")
    page.locator("#id_description").fill("Director")
    page.locator("#id_kind").select_option("financial")
    _fill_date(page, "declared_on", "2", "1", year)
    _fill_date(page, "start_date", "1", "4", str(int(year) - 1))
    _submit(page, "Add the interest")
    assert "Director" in page.locator("main table").inner_text()

    page.get_by_role("link", name="Change the interest: Director").click()
    page.wait_for_url("**/change/**")
    page.locator("#id_description").fill("Non-executive director")
    _fill_date(page, "end_date", "1", "1", str(int(year) - 2))
    _submit(page, "Change an interest")
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert "The end date must be the same as or after the start date" in summary
    check_page(page, axe_script, artifacts, "interests-change-errors")
    _fill_date(page, "end_date", "", "", "")
    _submit(page, "Change an interest")
    assert "Non-executive director" in page.locator("main table").inner_text()
    check_page(page, axe_script, artifacts, "interests-changed")

    # Its name is the visible words and the hidden interest, which the browser spaces apart.
    _submit(page, re.compile(r"Confirm still right\s*:\s*Non-executive director"))
    row = page.locator("main table tr", has_text="Non-executive director")
    assert "Not yet confirmed" not in row.inner_text()
    page.get_by_role("link", name="End the interest: Non-executive director").click()
    page.wait_for_url("**/end/**")
    check_page(page, axe_script, artifacts, "interests-end-form")
    _submit(page, "End an interest")
    assert "Ended on" in page.locator("main table").inner_text()
    check_page(page, axe_script, artifacts, "interests-ended")
    page.set_viewport_size(WIDTHS["phone"])
    check_page(page, axe_script, artifacts, "interests-ended-phone")
    page.set_viewport_size(WIDTHS["desktop"])
