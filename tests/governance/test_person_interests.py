"""A person's register of interests: read by every role, kept by the secretaries of the person's
boards and administrators, with the annual confirmation recorded through a service."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from governance import meetings as services
from governance.meeting_selectors import meeting_conflicts
from governance.models import Interest
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def seat(board_a):
    return MembershipFactory(board=board_a)


@pytest.fixture
def interest(user_as, seat):
    return services.interest_create(
        actor=user_as("secretary_a"),
        person=seat.person,
        organisation=OrganisationFactory(name="Acme Health Ltd"),
        description="Shareholder",
        kind="financial",
        start_date=dt.date(2025, 4, 1),
        declared_on=dt.date(2026, 1, 5),
    )


def url(person, suffix: str = "") -> str:
    """The person's register (or a form under it) as the portal links it: naming their system."""
    return f"/boards/people/{person.key}/interests/{suffix}?system={person.system.slug}"


def test_every_role_reads_the_register(client_as, seat, interest):
    for name in ("commissioner", "analyst", "secretary_b", "secretary_a", "admin"):
        page = client_as(name).get(url(seat.person))
        assert page.status_code == 200, name
        text = page.content.decode()
        assert "Acme Health Ltd: Shareholder" in text and "5 Jan 2026" in text
        assert "1 Apr 2025" in text and "Not yet confirmed" in text
        editor = name in ("secretary_a", "admin")
        assert ("Add an interest" in text) is editor, name
        assert ("Confirm still right" in text) is editor, name


def test_secretary_adds_an_interest_from_the_register(client_as, seat):
    client = client_as("secretary_a")
    response = client.post(
        url(seat.person),
        {
            "organisation": "",
            "description": "Trustee of a local charity",
            "kind": "non_financial_professional",
            "declared_on_day": 2,
            "declared_on_month": 3,
            "declared_on_year": 2026,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    added = Interest.objects.get(person=seat.person)
    assert added.description == "Trustee of a local charity"
    assert added.history.first().history_change_reason == "Interest declared"
    # Others may not add.
    other = client_as("secretary_b").post(url(seat.person), {"description": "x"})
    assert other.status_code == 403


def test_confirmation_sets_today_with_history_and_is_refused_to_others(
    client_as, user_as, seat, interest
):
    refused = client_as("secretary_b").post(
        url(seat.person, f"{interest.pk}/confirm/"), {"version": interest.version}
    )
    assert refused.status_code == 403
    with pytest.raises(PermissionDenied):
        services.interest_confirm(
            actor=user_as("commissioner"), interest=interest.pk, expected_version=1
        )
    client = client_as("secretary_a")
    response = client.post(url(seat.person, f"{interest.pk}/confirm/"), {"version": 1})
    assert response.status_code == 302
    interest.refresh_from_db()
    assert interest.confirmed_on == timezone.localdate() and interest.version == 2
    latest = interest.history.first()
    assert latest.history_change_reason == "Interest confirmed (annual confirmation)"
    # A confirmation on a stale read is refused, not applied twice.
    with pytest.raises(services.VersionConflict):
        services.interest_confirm(actor=user_as("admin"), interest=interest.pk, expected_version=1)


def test_meeting_and_board_pages_link_to_the_register(client_as, user_as, board_a, seat):
    meeting = services.meeting_create(
        actor=user_as("secretary_a"),
        board=board_a,
        start=dt.datetime(2030, 6, 10, 14, 0, tzinfo=LONDON),
    )
    link = f'href="{url(seat.person)}"'
    client = client_as("commissioner")
    assert link in client.get(meeting.get_absolute_url()).content.decode()
    assert link in client.get(board_a.get_absolute_url()).content.decode()


def date_parts(name: str, day: dt.date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def change_data(interest, **changes) -> dict:
    """The change form as a secretary would post it: the entry as read, with ``changes``."""
    values = {
        "organisation": interest.organisation_id or "",
        "description": interest.description,
        "kind": interest.kind,
        "declared_on": interest.declared_on,
        "start_date": interest.start_date,
        "end_date": interest.end_date,
        "version": interest.version,
        **changes,
    }
    data = {}
    for name, value in values.items():
        if isinstance(value, dt.date):
            data.update(date_parts(name, value))
        elif name in ("declared_on", "start_date", "end_date"):
            data.update({f"{name}_day": "", f"{name}_month": "", f"{name}_year": ""})
        else:
            data[name] = value
    return data


def test_only_editors_see_change_and_end_for_each_entry(client_as, seat, interest):
    change = f'href="{url(seat.person, f"{interest.pk}/change/")}"'.replace("&", "&amp;")
    end = f'href="{url(seat.person, f"{interest.pk}/end/")}"'.replace("&", "&amp;")
    for name in ("commissioner", "analyst", "secretary_b", "secretary_a", "admin"):
        text = client_as(name).get(url(seat.person)).content.decode()
        editor = name in ("secretary_a", "admin")
        assert (change in text) is editor and (end in text) is editor, name


def test_secretary_changes_an_interest_with_history(client_as, seat, interest):
    client = client_as("secretary_a")
    form_url = url(seat.person, f"{interest.pk}/change/")
    form = client.get(form_url).content.decode()
    assert 'name="version" value="1"' in form and 'value="Shareholder"' in form
    assert 'value="financial" selected' in form
    response = client.post(
        form_url,
        change_data(
            interest,
            organisation="",
            description="Shareholder (sold half)",
            kind="indirect",
            declared_on=dt.date(2026, 2, 1),
            end_date=dt.date(2026, 12, 31),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    interest.refresh_from_db()
    assert interest.description == "Shareholder (sold half)" and interest.kind == "indirect"
    assert interest.organisation is None and interest.declared_on == dt.date(2026, 2, 1)
    assert interest.end_date == dt.date(2026, 12, 31) and interest.version == 2
    latest = interest.history.first()
    assert latest.history_change_reason == "Interest changed"
    assert latest.history_user == client.user


def test_others_may_not_change_or_end_an_interest_and_nothing_changes(client_as, seat, interest):
    for name in ("commissioner", "analyst", "secretary_b"):
        client = client_as(name)
        for suffix, data in (
            ("change/", change_data(interest, description="Hijacked")),
            ("end/", {**date_parts("end_date", dt.date(2026, 3, 1)), "version": 1}),
        ):
            address = url(seat.person, f"{interest.pk}/{suffix}")
            assert client.get(address).status_code == 403, (name, suffix)
            assert client.post(address, data).status_code == 403, (name, suffix)
    interest.refresh_from_db()
    assert interest.description == "Shareholder" and interest.end_date is None
    assert interest.version == 1 and interest.history.count() == 1


def test_a_stale_change_shows_the_conflict_page_and_writes_nothing(client_as, seat, interest):
    form_url = url(seat.person, f"{interest.pk}/change/")
    first, second = client_as("secretary_a"), client_as("admin")
    assert first.post(form_url, change_data(interest, description="First")).status_code == 302
    response = second.post(form_url, change_data(interest, description="Second"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this interest" in html and "Your change was not saved" in html
    assert "First" in html and "Second" in html
    ended = second.post(
        url(seat.person, f"{interest.pk}/end/"),
        {**date_parts("end_date", dt.date(2026, 3, 1)), "version": 1},
    )
    assert ended.status_code == 409
    interest.refresh_from_db()
    assert interest.description == "First" and interest.end_date is None
    assert interest.version == 2 and interest.history.count() == 2


def test_an_end_before_the_start_is_refused_naming_the_field(client_as, seat, interest):
    client = client_as("secretary_a")
    message = "The end date must be the same as or after the start date (1 April 2025)."
    for suffix, data in (
        ("change/", change_data(interest, end_date=dt.date(2025, 3, 31))),
        ("end/", {**date_parts("end_date", dt.date(2025, 3, 31)), "version": 1}),
    ):
        response = client.post(url(seat.person, f"{interest.pk}/{suffix}"), data)
        assert response.status_code == 200, suffix
        html = response.content.decode()
        assert f'<a href="#id_end_date_day">{message}</a>' in html, suffix
        assert 'id="id_end_date-error"' in html
    missing = client.post(url(seat.person, f"{interest.pk}/end/"), {"version": 1})
    assert "Enter the end date" in missing.content.decode()
    blank = client.post(
        url(seat.person, f"{interest.pk}/change/"), change_data(interest, description="")
    )
    assert '<a href="#id_description">' in blank.content.decode()
    interest.refresh_from_db()
    assert interest.end_date is None and interest.version == 1


def test_secretary_ends_an_interest_which_then_shows_ended(client_as, seat, interest):
    client = client_as("secretary_a")
    form_url = url(seat.person, f"{interest.pk}/end/")
    today = timezone.localdate()
    form = client.get(form_url).content.decode()
    assert f'name="end_date_year" type="text" inputmode="numeric" value="{today.year}"' in form
    response = client.post(form_url, {**date_parts("end_date", dt.date(2026, 3, 1)), "version": 1})
    assert response.status_code == 302
    interest.refresh_from_db()
    assert interest.end_date == dt.date(2026, 3, 1) and interest.version == 2
    assert interest.history.first().history_change_reason == "Interest ended"
    register = client.get(url(seat.person)).content.decode()
    assert "Ended on 1 Mar 2026" in register
    assert url(seat.person, f"{interest.pk}/end/").replace("&", "&amp;") not in register


def test_an_ended_interest_raises_no_conflict_prompt_after_its_end(
    user_as, board_a, seat, interest
):
    secretary = user_as("secretary_a")
    meeting = services.meeting_create(
        actor=secretary, board=board_a, start=dt.datetime(2026, 6, 10, 14, 0, tzinfo=LONDON)
    )
    services.agenda_item_create(
        actor=secretary,
        meeting=meeting,
        number=1,
        title="Contract award",
        purpose="decision",
        organisations=[interest.organisation],
    )
    assert [p.interest for p in meeting_conflicts(meeting)] == [interest]
    # Held up to and including the meeting's day: still a conflict.
    services.interest_end(
        actor=secretary, interest=interest.pk, expected_version=1, end_date=dt.date(2026, 6, 10)
    )
    assert [p.interest for p in meeting_conflicts(meeting)] == [interest]
    services.interest_end(
        actor=secretary, interest=interest.pk, expected_version=2, end_date=dt.date(2026, 6, 9)
    )
    assert meeting_conflicts(meeting) == []
