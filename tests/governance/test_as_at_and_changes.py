"""Who sat on a board on a date, and what changed between two dates, from hand-built histories.

The history is built by making each change at a frozen moment, so each historical row carries
the date it was recorded, as it would in use.
"""

import datetime as dt

import pytest
from freezegun import freeze_time

from governance import selectors, services
from governance.models import Membership
from tests.factories import BoardFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def timeline(board_a):
    """A board with two years of recorded changes; returns (board, people by letter, seats)."""
    board = BoardFactory(system=board_a.system, slug="timeline-board")
    secretary = services.role_grant(
        username="timeline-secretary", role="board_secretary", board_slugs=[board.slug]
    ).user
    p = {k: PersonFactory(name=f"Person {k}") for k in "ABCDEF"}
    org = OrganisationFactory(system=board.system, name="Voluntary Action")
    s = {}

    def at(when):
        return freeze_time(f"{when} 12:00:00")

    with at("2024-01-10"):
        s["a1"] = services.membership_create(
            actor=secretary, board=board, person=p["A"], role="member", start_date=D(2024, 1, 1)
        )
        s["b"] = services.membership_create(
            actor=secretary,
            board=board,
            person=p["B"],
            role="chair",
            start_date=D(2024, 1, 1),
            end_date=D(2024, 12, 31),
        )
    with at("2024-06-15"):
        services.membership_update(
            actor=secretary, membership=s["a1"], expected_version=1, role="vice_chair"
        )
    with at("2025-01-05"):
        s["c"] = services.membership_create(
            actor=secretary, board=board, person=p["C"], role="chair", start_date=D(2025, 1, 1)
        )
    with at("2025-02-01"):
        services.membership_end(
            actor=secretary,
            membership=s["a1"],
            expected_version=2,
            end_date=D(2025, 1, 31),
            end_reason="role_changed",
        )
        s["a2"] = services.membership_create(
            actor=secretary, board=board, person=p["A"], role="member", start_date=D(2025, 2, 1)
        )
    with at("2025-03-01"):
        s["vacancy"] = services.vacancy_record(
            actor=secretary, board=board, on_behalf_of=org, start_date=D(2025, 3, 1)
        )
    with at("2025-04-10"):
        s["d"] = services.vacancy_fill(
            actor=secretary,
            membership=s["vacancy"],
            expected_version=1,
            person=p["D"],
            start_date=D(2025, 4, 1),
        )
    with at("2025-06-01"):
        # Entered late: a member who sat for six months of 2024.
        s["e"] = services.membership_create(
            actor=secretary,
            board=board,
            person=p["E"],
            role="member",
            start_date=D(2024, 3, 1),
            end_date=D(2024, 9, 30),
            end_reason="term_ended",
        )
        s["f"] = services.membership_create(
            actor=secretary, board=board, person=p["F"], role="member", start_date=D(2024, 2, 1)
        )
    with at("2025-06-02"):
        # Recorded in error and deleted: it never counts.
        Membership.objects.get(pk=s["f"].pk).delete()
    return board, p, s


def _who(seats) -> list[tuple[str, str]]:
    return [(seat.who, seat.role) for seat in seats]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2023, 12, 31), []),
        (
            D(2024, 3, 15),
            [("Person B", "chair"), ("Person A", "member"), ("Person E", "member")],
        ),
        (
            D(2024, 7, 1),
            [("Person B", "chair"), ("Person A", "vice_chair"), ("Person E", "member")],
        ),
        (D(2025, 1, 15), [("Person C", "chair"), ("Person A", "vice_chair")]),
        (D(2025, 3, 15), [("Person C", "chair"), ("Person A", "member"), ("Vacant", "member")]),
        (D(2025, 4, 15), [("Person C", "chair"), ("Person A", "member"), ("Person D", "member")]),
    ],
)
def test_who_sat_on_the_board_on_a_date(timeline, day, expected):
    board, _, _ = timeline
    assert sorted(_who(selectors.board_members_as_at(board, day))) == sorted(expected)


def test_changes_in_2024(timeline):
    board, _, _ = timeline
    changes = selectors.board_changes_between(board, D(2024, 1, 1), D(2024, 12, 31))
    assert sorted(s.who for s in changes.added) == ["Person A", "Person B", "Person E"]
    assert [s.who for s in changes.ended] == ["Person E", "Person B"]
    assert [(c.seat.who, c.before, c.after, c.on) for c in changes.role_changes] == [
        ("Person A", "Member", "Vice-chair", D(2024, 6, 15))
    ]
    assert changes.role_changes[0].by == "timeline-secretary"


def test_changes_in_early_2025_pair_an_end_for_role_change_with_the_new_seat(timeline):
    board, _, _ = timeline
    changes = selectors.board_changes_between(board, D(2025, 1, 1), D(2025, 4, 30))
    assert [s.who for s in changes.added] == ["Person C", "Vacant", "Person D"]
    assert [(s.who, s.end_date) for s in changes.ended] == [("Vacant", D(2025, 3, 31))]
    assert [(c.seat.who, c.before, c.after, c.on) for c in changes.role_changes] == [
        ("Person A", "Vice-chair", "Member", D(2025, 2, 1))
    ]


def test_a_quiet_period_has_no_changes(timeline):
    board, _, _ = timeline
    assert selectors.board_changes_between(board, D(2023, 1, 1), D(2023, 12, 31)).empty


def test_a_membership_table_edit_outside_the_history_does_not_change_the_past(timeline):
    """The as-at view reads the history rows, not today's membership table."""
    board, _, s = timeline
    Membership.objects.filter(pk=s["b"].pk).update(role="observer")
    assert ("Person B", "chair") in _who(selectors.board_members_as_at(board, D(2024, 3, 15)))


def test_the_as_at_page(timeline, commissioner_client):
    board, _, _ = timeline
    html = commissioner_client.get(f"/boards/{board.slug}/as-at/?date=2024-07-01").content.decode()
    assert "on 1 July 2024" in html
    assert "Person A" in html and "Vice-chair" in html and "Person C" not in html
    bad = commissioner_client.get(f"/boards/{board.slug}/as-at/?date=2024-02-30")
    assert bad.status_code == 200
    assert (
        "There is a problem" in bad.content.decode() and 'href="#id_date"' in bad.content.decode()
    )


def test_the_changes_page(timeline, commissioner_client):
    board, _, _ = timeline
    url = f"/boards/{board.slug}/changes/?from=2025-01-01&to=2025-04-30"
    html = commissioner_client.get(url).content.decode()
    assert "from 1 January 2025 to 30 April 2025" in html
    assert "Person D" in html and "Person C" in html
    changed = html[html.index("Changed role") :]
    assert "Person A" in changed and "Vice-chair" in changed
    backwards = f"/boards/{board.slug}/changes/?from=2025-04-30&to=2025-01-01"
    assert "must be the same as or after" in commissioner_client.get(backwards).content.decode()


def test_the_as_at_query_count_does_not_grow_with_the_history(timeline, django_assert_num_queries):
    board, _, _ = timeline
    # every state of every membership with its person, organisation and author
    with django_assert_num_queries(1):
        selectors.board_members_as_at(board, D(2025, 1, 1))
    with django_assert_num_queries(1):
        selectors.board_changes_between(board, D(2024, 1, 1), D(2025, 12, 31))
