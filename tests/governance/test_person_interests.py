"""A person's register of interests: read by every role, kept by the secretaries of the person's
boards and administrators, with the annual confirmation recorded through a service."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from governance import meetings as services
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
