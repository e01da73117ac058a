"""The membership services: permissions, domain rules, versions and who is recorded."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from governance import services
from governance.models import Membership, Person
from governance.permissions import can_edit_board
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

D = dt.date


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


def test_can_edit_board_only_for_the_boards_assigned_or_as_an_admin(user_as, board_a, board_b):
    assert can_edit_board(user_as("secretary_a"), board_a)
    assert not can_edit_board(user_as("secretary_a"), board_b)
    assert can_edit_board(user_as("secretary_b"), board_b)
    assert can_edit_board(user_as("admin"), board_a) and can_edit_board(user_as("admin"), board_b)
    for other in ("commissioner", "analyst"):
        assert not can_edit_board(user_as(other), board_a)


def test_create_adds_a_member_with_the_actor_in_history(secretary_a, board_a):
    person = PersonFactory()
    m = services.membership_create(
        actor=secretary_a, board=board_a, person=person, role="member", start_date=D(2025, 4, 1)
    )
    assert m.version == 1
    record = m.history.get()
    assert record.history_type == "+" and record.history_user == secretary_a
    assert record.history_change_reason == "Member added"


def test_create_with_a_typed_name_makes_a_person_with_a_unique_slug_key(secretary_a, board_a):
    Person.objects.create(key="dr-jane-smith", name="Dr Jane Smith", system=board_a.system)
    m = services.membership_create(
        actor=secretary_a,
        board=board_a,
        person_name="  Dr  Jane Smith ",
        role="member",
        start_date=D(2025, 4, 1),
    )
    assert m.person.name == "Dr Jane Smith" and m.person.key == "dr-jane-smith-2"
    assert m.person.history.get().history_user == secretary_a


def test_a_secretary_cannot_write_to_another_board(secretary_a, board_b):
    before = Membership.objects.count()
    with pytest.raises(PermissionDenied):
        services.membership_create(
            actor=secretary_a,
            board=board_b,
            person=PersonFactory(),
            role="member",
            start_date=D(2025, 4, 1),
        )
    seat = board_b.memberships.first()
    with pytest.raises(PermissionDenied):
        services.membership_update(
            actor=secretary_a, membership=seat, expected_version=seat.version, label="x"
        )
    with pytest.raises(PermissionDenied):
        services.membership_end(
            actor=secretary_a,
            membership=seat,
            expected_version=seat.version,
            end_date=D(2025, 4, 1),
            end_reason="resigned",
        )
    with pytest.raises(PermissionDenied):
        services.vacancy_record(actor=secretary_a, board=board_b, start_date=D(2025, 4, 1))
    assert Membership.objects.count() == before
    seat.refresh_from_db()
    assert seat.label == "" and seat.end_date is None and seat.version == 1


def test_end_before_start_is_refused_on_the_end_date(secretary_a, board_a):
    with pytest.raises(ValidationError) as exc:
        services.membership_create(
            actor=secretary_a,
            board=board_a,
            person=PersonFactory(),
            role="member",
            start_date=D(2025, 5, 1),
            end_date=D(2025, 4, 30),
        )
    assert "same as or after the start date" in _errors(exc)["end_date"][0]


def test_a_second_chair_with_an_overlapping_term_is_refused_but_co_chairs_are_not(
    secretary_a, board_a
):
    services.membership_create(
        actor=secretary_a,
        board=board_a,
        person=PersonFactory(),
        role="chair",
        start_date=D(2024, 1, 1),
        end_date=D(2025, 12, 31),
    )
    with pytest.raises(ValidationError) as exc:
        services.membership_create(
            actor=secretary_a,
            board=board_a,
            person=PersonFactory(),
            role="chair",
            start_date=D(2025, 6, 1),
        )
    assert "co-chair" in _errors(exc)["role"][0]
    for _ in range(2):
        services.membership_create(
            actor=secretary_a,
            board=board_a,
            person=PersonFactory(),
            role="co_chair",
            start_date=D(2025, 6, 1),
        )
    services.membership_create(
        actor=secretary_a,
        board=board_a,
        person=PersonFactory(),
        role="chair",
        start_date=D(2026, 1, 1),
    )


def test_the_same_person_twice_at_the_same_time_is_refused(secretary_a, board_a):
    person = PersonFactory()
    services.membership_create(
        actor=secretary_a, board=board_a, person=person, role="member", start_date=D(2024, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.membership_create(
            actor=secretary_a,
            board=board_a,
            person=person,
            role="vice_chair",
            start_date=D(2025, 1, 1),
        )
    assert "already sits" in _errors(exc)["person"][0]


def test_a_start_more_than_a_year_ahead_is_refused(secretary_a, board_a):
    today = timezone.localdate()
    limit = services.latest_allowed_start(today)
    with pytest.raises(ValidationError) as exc:
        services.membership_create(
            actor=secretary_a,
            board=board_a,
            person=PersonFactory(),
            role="member",
            start_date=limit + dt.timedelta(days=1),
        )
    assert "no more than a year from today" in _errors(exc)["start_date"][0]
    services.membership_create(
        actor=secretary_a, board=board_a, person=PersonFactory(), role="member", start_date=limit
    )


def test_latest_allowed_start_handles_the_leap_day():
    assert services.latest_allowed_start(D(2028, 2, 29)) == D(2029, 2, 28)
    assert services.latest_allowed_start(D(2025, 3, 31)) == D(2026, 3, 31)


def test_an_organisation_of_another_system_is_refused(secretary_a, board_a):
    from tests.factories import OrganisationFactory

    with pytest.raises(ValidationError) as exc:
        services.membership_create(
            actor=secretary_a,
            board=board_a,
            person=PersonFactory(),
            on_behalf_of=OrganisationFactory(),
            role="member",
            start_date=D(2025, 4, 1),
        )
    assert "on_behalf_of" in _errors(exc)


def test_update_bumps_the_version_and_records_before_and_after(secretary_a, board_a):
    seat = board_a.memberships.order_by("pk").first()
    updated = services.membership_update(
        actor=secretary_a, membership=seat, expected_version=1, role="vice_chair", label="Deputy"
    )
    assert updated.version == 2
    newest, previous = seat.history.order_by("-history_date", "-history_id")[:2]
    assert (previous.role, newest.role) == ("member", "vice_chair")
    assert newest.label == "Deputy" and newest.version == 2
    assert newest.history_user == secretary_a


def test_update_with_a_stale_version_writes_nothing(secretary_a, board_a):
    seat = board_a.memberships.order_by("pk").first()
    services.membership_update(actor=secretary_a, membership=seat, expected_version=1, label="A")
    rows = seat.history.count()
    with pytest.raises(services.StaleVersion) as exc:
        services.membership_update(
            actor=secretary_a,
            membership=seat,
            expected_version=1,
            label="B",
            person_name="Someone New",
        )
    assert isinstance(exc.value, services.MembershipConflict)
    assert exc.value.current.label == "A" and exc.value.current_version == 2
    seat.refresh_from_db()
    assert seat.label == "A" and seat.version == 2 and seat.history.count() == rows
    assert not Person.objects.filter(name="Someone New").exists()


def test_the_compare_and_set_refuses_a_writer_whose_read_went_stale_after_the_check(
    secretary_a, board_a, monkeypatch
):
    """Another writer commits between this writer's version check and its write."""
    seat = board_a.memberships.order_by("pk").first()
    real_check = services._check_version

    def check_then_lose_the_race(current, expected_version):
        real_check(current, expected_version)
        Membership.objects.filter(pk=current.pk).update(version=expected_version + 1)

    monkeypatch.setattr(services, "_check_version", check_then_lose_the_race)
    with pytest.raises(services.StaleVersion):
        services.membership_update(
            actor=secretary_a, membership=seat, expected_version=1, label="Z"
        )
    seat.refresh_from_db()
    assert seat.label == "" and seat.history.count() == 1


def test_a_membership_cannot_move_to_another_board(secretary_a, board_a, board_b):
    seat = board_a.memberships.order_by("pk").first()
    with pytest.raises(ValidationError) as exc:
        services.membership_update(
            actor=secretary_a, membership=seat, expected_version=1, board=board_b
        )
    assert "cannot move" in _errors(exc)["board"][0]
    with pytest.raises(ValidationError):
        services.membership_update(
            actor=secretary_a, membership=seat, expected_version=1, board_id=board_b.pk
        )
    with pytest.raises(ValidationError):
        services.membership_update(
            actor=secretary_a, membership=seat, expected_version=1, version=9
        )
    seat.refresh_from_db()
    assert seat.board == board_a and seat.version == 1


def test_an_update_that_changes_nothing_writes_nothing(secretary_a, board_a):
    seat = board_a.memberships.order_by("pk").first()
    same = services.membership_update(
        actor=secretary_a, membership=seat, expected_version=1, role=seat.role
    )
    assert same.version == 1 and seat.history.count() == 1


def test_naming_the_person_of_an_unnamed_seat_clears_not_named(secretary_a, board_a):
    seat = board_a.memberships.filter(person_not_named=True).first()
    named = services.membership_update(
        actor=secretary_a, membership=seat, expected_version=1, person_name="Ann Other"
    )
    assert named.person.name == "Ann Other" and named.person_not_named is False


def test_end_needs_a_date_and_a_reason_and_keeps_the_rules(secretary_a, board_a):
    seat = services.membership_create(
        actor=secretary_a,
        board=board_a,
        person=PersonFactory(),
        role="member",
        start_date=D(2025, 4, 1),
    )
    with pytest.raises(ValidationError) as exc:
        services.membership_end(
            actor=secretary_a, membership=seat, expected_version=1, end_date=None, end_reason="x"
        )
    assert set(_errors(exc)) == {"end_date", "end_reason"}
    with pytest.raises(ValidationError) as exc:
        services.membership_end(
            actor=secretary_a,
            membership=seat,
            expected_version=1,
            end_date=D(2025, 3, 1),
            end_reason="resigned",
        )
    assert "end_date" in _errors(exc)
    ended = services.membership_end(
        actor=secretary_a,
        membership=seat,
        expected_version=1,
        end_date=D(2025, 9, 30),
        end_reason="resigned",
    )
    assert (ended.end_date, ended.end_reason, ended.version) == (D(2025, 9, 30), "resigned", 2)
    assert ended.history.first().history_change_reason == "Membership ended"


def test_a_vacancy_is_recorded_and_filled_so_who_sat_when_stays_true(secretary_a, board_a):
    vacancy = services.vacancy_record(
        actor=secretary_a, board=board_a, role="vice_chair", start_date=D(2025, 1, 1)
    )
    assert vacancy.is_vacant and vacancy.history.get().history_user == secretary_a
    filled = services.vacancy_fill(
        actor=secretary_a,
        membership=vacancy,
        expected_version=1,
        person_name="Priya Patel",
        start_date=D(2025, 3, 1),
    )
    vacancy.refresh_from_db()
    assert (vacancy.end_date, vacancy.end_reason, vacancy.version) == (
        D(2025, 2, 28),
        "replaced",
        2,
    )
    assert filled.pk != vacancy.pk
    assert (filled.person.name, filled.role, filled.start_date) == (
        "Priya Patel",
        "vice_chair",
        D(2025, 3, 1),
    )
    with pytest.raises(ValidationError) as exc:
        services.vacancy_fill(
            actor=secretary_a,
            membership=filled,
            expected_version=1,
            person=PersonFactory(),
            start_date=D(2025, 4, 1),
        )
    assert "not vacant" in _errors(exc)["person"][0]


def test_a_vacancy_filled_on_its_first_day_takes_the_person_itself(secretary_a, board_a):
    vacancy = services.vacancy_record(actor=secretary_a, board=board_a, start_date=D(2025, 1, 1))
    person = PersonFactory()
    filled = services.vacancy_fill(
        actor=secretary_a,
        membership=vacancy,
        expected_version=1,
        person=person,
        start_date=D(2025, 1, 1),
    )
    assert filled.pk == vacancy.pk and filled.person == person and filled.version == 2


def test_a_vacancy_cannot_be_filled_before_it_began(secretary_a, board_a):
    vacancy = services.vacancy_record(actor=secretary_a, board=board_a, start_date=D(2025, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.vacancy_fill(
            actor=secretary_a,
            membership=vacancy,
            expected_version=1,
            person=PersonFactory(),
            start_date=D(2024, 12, 1),
        )
    assert "start_date" in _errors(exc)
    vacancy.refresh_from_db()
    assert vacancy.end_date is None and vacancy.version == 1
