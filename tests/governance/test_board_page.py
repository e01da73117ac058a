"""The board page: what the board is, who sits on it, gaps, quorum, metrics, history."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance import services
from governance.models import Board, ReportingLine
from metrics.models import Metric
from tests.factories import MetricFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

URL = "/boards/{}/"


def _html(client, board) -> str:
    response = client.get(URL.format(board.slug))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_what_the_board_is(commissioner_client, board_a):
    # A board it does not report to already (the documents' Place executives report to the
    # Partnership Board).
    parent = (
        Board.objects.exclude(pk=board_a.pk)
        .exclude(pk__in=board_a.reporting_lines.values("reports_to"))
        .order_by("pk")
        .first()
    )
    child = Board.objects.exclude(pk__in=[board_a.pk, parent.pk]).order_by("pk").first()
    ReportingLine.objects.create(board=board_a, reports_to=parent)
    ReportingLine.objects.create(board=child, reports_to=board_a)
    board_a.purpose = "To join up out-of-hospital care."
    board_a.save(update_fields=["purpose"])
    html = _html(commissioner_client, board_a)
    assert "To join up out-of-hospital care." in html
    assert "Place" in html and "Warwickshire North" in html
    assert parent.name in html and child.name in html
    assert "Reporting to this board" in html


def test_members_table_names_seats_organisations_roles_terms_and_days_left(
    commissioner_client, secretary_a, board_a
):
    today = timezone.localdate()
    services.membership_create(
        actor=secretary_a,
        board=board_a,
        person_name="Ada Lovelace",
        role="vice_chair",
        voting=False,
        start_date=today - dt.timedelta(days=10),
        end_date=today + dt.timedelta(days=45),
    )
    services.vacancy_record(actor=secretary_a, board=board_a, start_date=today)
    html = _html(commissioner_client, board_a)
    members = html[html.index('id="members-table"') : html.index('id="required"')]
    for header in ("Person", "Organisation represented", "Role", "Voting", "Start", "End"):
        assert f">{header}</th>" in members
    assert "Days left in term" in members
    assert "Ada Lovelace" in members and "Vice-chair" in members
    assert "Not named in the source" in members and "Vacant" in members
    row = re.search(r"Ada Lovelace.*?</tr>", members, re.S).group(0)
    assert ">No<" in row and ">45<" in row
    assert "George Eliot Hospital NHS Trust" in members


def test_required_organisations_not_represented_are_listed(
    commissioner_client, secretary_a, board_a
):
    seat = board_a.memberships.get(on_behalf_of__name="George Eliot Hospital NHS Trust")
    services.membership_end(
        actor=secretary_a,
        membership=seat,
        expected_version=1,
        end_date=timezone.localdate() - dt.timedelta(days=1),
        end_reason="organisation_left",
    )
    html = _html(commissioner_client, board_a)
    required = html[html.index('id="required"') : html.index('id="metrics"')]
    assert "George Eliot Hospital NHS Trust" in required
    assert "Warwickshire County Council" not in required


def test_quorum_not_stated_says_so_and_a_stated_one_is_checked(commissioner_client, board_a):
    html = _html(commissioner_client, board_a)
    assert "Not stated in the source documents" in html
    board_a.quorum = 7
    board_a.save(update_fields=["quorum"])
    html = _html(commissioner_client, board_a)
    assert "Below quorum" in html and "6 seated now" in html
    board_a.quorum = 4
    board_a.save(update_fields=["quorum"])
    assert "Quorate" in _html(commissioner_client, board_a)


def test_the_metrics_the_board_owns_are_listed(commissioner_client, board_a):
    MetricFactory(name="Delayed transfers of care in the north", owner_board=board_a)
    html = _html(commissioner_client, board_a)
    owned = html[html.index('id="metrics"') : html.index('id="statements"')]
    assert "Delayed transfers of care in the north" in owned
    other = Metric.objects.exclude(owner_board=board_a).exclude(owner_board=None).first()
    assert other.name not in owned


def test_statements_keep_their_sources(commissioner_client, board_a):
    assert "Source: Place descriptions, line 169" in _html(commissioner_client, board_a)


def test_history_lists_who_when_and_each_field_before_and_after(
    commissioner_client, secretary_a, board_a
):
    seat = board_a.memberships.get(on_behalf_of__name="Primary Care")
    services.membership_update(
        actor=secretary_a, membership=seat, expected_version=1, role="vice_chair", label="GP lead"
    )
    html = _html(commissioner_client, board_a)
    history = html[html.index('id="history"') :]
    assert secretary_a.username in history
    assert "Role: Member → Vice-chair" in history
    assert "Label: — → GP lead" in history
    assert "Data load" in history


def test_editing_controls_show_only_to_the_boards_secretaries_and_admins(client_as, board_a):
    controls = ("Add a member", "Record a vacancy", "/members/")
    for role in ("secretary_a", "admin"):
        html = _html(client_as(role), board_a)
        assert all(c in html for c in controls), role
    for role in ("commissioner", "secretary_b", "analyst"):
        html = _html(client_as(role), board_a)
        assert not any(c in html for c in controls), role


def _seed(board, actor, n: int) -> None:
    today = timezone.localdate()
    for i in range(n):
        m = services.membership_create(
            actor=actor,
            board=board,
            person=PersonFactory(),
            on_behalf_of=OrganisationFactory(system=board.system),
            role="member",
            start_date=today - dt.timedelta(days=30),
            end_date=today + dt.timedelta(days=30 + i),
        )
        services.membership_update(actor=actor, membership=m, expected_version=1, label=f"Seat {i}")
        MetricFactory(owner_board=board)


def _queries(client, board) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL.format(board.slug)).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["commissioner", "secretary_a"])
def test_the_query_count_is_the_same_for_n_and_2n_members(client_as, secretary_a, board_a, role):
    client = client_as(role)
    _seed(board_a, secretary_a, 5)
    at_n = _queries(client, board_a)
    _seed(board_a, secretary_a, 5)
    assert _queries(client, board_a) == at_n
    # session, user with role grant, (a secretary: the boards they hold), board, current
    # members, statements, required organisations, reports to, reported by, metrics,
    # membership history, board history, the risks it owns and the escalations to or from it,
    # and the outcomes roll-up of its Place (the Place with its priorities, the outcomes, their
    # priority and metric links, the organisations serving the Place, the series summaries),
    # its meetings (the user's seats today, for private meetings; next; past; overdue actions;
    # the last held meetings, for the attendance record; the user's calendar link), the
    # documents and data-quality flags, for the doubts beside the board, seats and statements,
    # the workstreams the board leads, and its predecessors and successors (the session is
    # saved at most once a minute, not on this request); a secretary's grant names its systems,
    # read with the user and their role (no query of its own), so for them the board's system
    # is read first (one query) to check the board is of a system they hold
    assert at_n == (33 if role == "secretary_a" else 31)


def test_unknown_board_is_404(commissioner_client):
    assert commissioner_client.get("/boards/atlantis/").status_code == 404
