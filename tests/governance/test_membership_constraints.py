"""Membership invariants: in the database where it can hold them, in validation otherwise."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import BoardFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

D = dt.date


def test_membership_ending_before_it_starts_is_refused_by_validation():
    m = MembershipFactory.build(
        board=BoardFactory(),
        person=PersonFactory(),
        start_date=D(2025, 5, 1),
        end_date=D(2025, 4, 30),
    )
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        m.full_clean()


def test_membership_ending_before_it_starts_is_refused_by_the_database():
    m = MembershipFactory.build(
        board=BoardFactory(),
        person=PersonFactory(),
        start_date=D(2025, 5, 1),
        end_date=D(2025, 4, 30),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        m.save()


def test_end_on_the_start_day_is_allowed():
    m = MembershipFactory(start_date=D(2025, 5, 1), end_date=D(2025, 5, 1), end_reason="resigned")
    m.full_clean()


def test_two_chairs_with_overlapping_terms_are_refused():
    board = BoardFactory()
    MembershipFactory(
        board=board,
        role="chair",
        start_date=D(2024, 1, 1),
        end_date=D(2025, 12, 31),
        end_reason="term_ended",
    )
    second = MembershipFactory.build(
        board=board, person=PersonFactory(), role="chair", start_date=D(2025, 6, 1)
    )
    with pytest.raises(ValidationError) as exc:
        second.full_clean()
    assert "co-chair" in str(exc.value.message_dict["role"])


def test_two_open_ended_chairs_are_refused_by_the_database():
    board = BoardFactory()
    MembershipFactory(board=board, role="chair", start_date=D(2024, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(board=board, role="chair", start_date=D(2025, 1, 1))


def test_successive_chairs_and_co_chairs_are_allowed():
    board = BoardFactory()
    MembershipFactory(
        board=board,
        role="chair",
        start_date=D(2023, 1, 1),
        end_date=D(2024, 12, 31),
        end_reason="term_ended",
    )
    nxt = MembershipFactory(board=board, role="chair", start_date=D(2025, 1, 1))
    nxt.full_clean()
    for _ in range(2):
        co = MembershipFactory(board=board, role="co_chair", start_date=D(2025, 1, 1))
        co.full_clean()


def test_same_person_twice_on_a_board_at_the_same_time_is_refused():
    board, person = BoardFactory(), PersonFactory()
    MembershipFactory(board=board, person=person, start_date=D(2024, 1, 1))
    again = MembershipFactory.build(
        board=board, person=person, role="vice_chair", start_date=D(2025, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        again.full_clean()
    assert "already sits" in str(exc.value.message_dict["person"])


def test_active_on_counts_unstated_starts_and_open_ends():
    board = BoardFactory()
    current = MembershipFactory(board=board, start_date=None)
    ended = MembershipFactory(
        board=board, start_date=D(2020, 1, 1), end_date=D(2021, 1, 1), end_reason="resigned"
    )
    on = board.memberships.active_on(D(2022, 6, 1))
    assert current in on and ended not in on
    assert ended in board.memberships.active_on(D(2020, 6, 1))
