"""/me/: a secretary's terms ending within 90 days and boards missing a required organisation."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance import services
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_board_secretary(board_a, board_b):
    user = services.role_grant(
        username="two-boards", role="board_secretary", board_slugs=[board_a.slug, board_b.slug]
    ).user
    client = Client()
    client.force_login(user)
    client.get("/about/icons/")  # stamps and saves the session once
    return user, client


def _member(actor, board, name, *, ends_in: int | None):
    today = timezone.localdate()
    return services.membership_create(
        actor=actor,
        board=board,
        person=PersonFactory(name=name),
        role="member",
        start_date=today - dt.timedelta(days=200),
        end_date=None if ends_in is None else today + dt.timedelta(days=ends_in),
    )


def test_terms_ending_within_90_days_across_the_secretarys_boards(
    two_board_secretary, board_a, board_b
):
    user, client = two_board_secretary
    _member(user, board_a, "Ends Soon", ends_in=10)
    _member(user, board_b, "Ends In Ninety", ends_in=90)
    _member(user, board_a, "Ends Later", ends_in=91)
    _member(user, board_b, "Ended", ends_in=-1)
    _member(user, board_a, "Open Ended", ends_in=None)
    html = client.get("/me/").content.decode()
    ending = html[html.index('id="terms-ending"') : html.index('id="missing"')]
    assert "Ends Soon" in ending and "Ends In Ninety" in ending
    assert ending.index("Ends Soon") < ending.index("Ends In Ninety")
    assert board_a.name in ending and board_b.name in ending
    for name in ("Ends Later", "Ended", "Open Ended"):
        assert name not in ending


def test_boards_missing_a_required_organisation(two_board_secretary, board_a, board_b):
    user, client = two_board_secretary
    html = client.get("/me/").content.decode()
    assert "Every required organisation has a seat held today" in html
    seat = board_a.memberships.get(on_behalf_of__name="George Eliot Hospital NHS Trust")
    services.membership_end(
        actor=user,
        membership=seat,
        expected_version=1,
        end_date=timezone.localdate() - dt.timedelta(days=1),
        end_reason="organisation_left",
    )
    html = client.get("/me/").content.decode()
    missing = html[html.index('id="missing"') :]
    assert board_a.name in missing and "George Eliot Hospital NHS Trust" in missing
    assert board_b.name not in missing


def test_other_roles_see_their_role_and_no_secretary_lists(client_as):
    html = client_as("commissioner").get("/me/").content.decode()
    assert "Commissioner" in html and "terms-ending" not in html


def test_the_page_costs_the_same_for_more_members(two_board_secretary, board_a):
    user, client = two_board_secretary

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get("/me/")
        return len(ctx.captured_queries)

    _member(user, board_a, "One", ends_in=5)
    first = count()
    for i in range(6):
        _member(user, board_a, f"More {i}", ends_in=20 + i)
    assert count() == first
