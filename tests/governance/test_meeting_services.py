"""Meeting services: who may write, the rules, versions, history; who reads private business."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from governance import meetings as services
from governance.meeting_selectors import (
    items_for,
    meeting_conflicts,
    meeting_quorum,
    meetings_for,
)
from governance.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
START = dt.datetime(2026, 6, 10, 14, 0, tzinfo=LONDON)


@pytest.fixture
def seats(board_a):
    """Four named voting seats on board A, held since 2024."""
    return [MembershipFactory(board=board_a) for _ in range(4)]


@pytest.fixture
def meeting(seats, user_as, board_a):
    return services.meeting_create(
        actor=user_as("secretary_a"), board=board_a, start=START, title="June meeting"
    )


def test_only_the_boards_secretaries_and_admins_schedule_meetings(user_as, board_a):
    for name in ("commissioner", "analyst", "secretary_b"):
        with pytest.raises(PermissionDenied):
            services.meeting_create(actor=user_as(name), board=board_a, start=START)
    assert services.meeting_create(actor=user_as("admin"), board=board_a, start=START).pk


def test_permission_is_checked_before_validation(user_as, board_a):
    with pytest.raises(PermissionDenied):
        services.meeting_create(actor=user_as("secretary_b"), board=board_a, start=None)


def test_a_naive_start_is_refused(user_as, board_a):
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            actor=user_as("secretary_a"), board=board_a, start=dt.datetime(2026, 6, 10, 14)
        )
    assert "start" in exc.value.message_dict


def test_a_meeting_ends_after_it_starts_or_not_at_all(user_as, board_a):
    secretary = user_as("secretary_a")
    for end in (START, START - dt.timedelta(hours=1)):
        with pytest.raises(ValidationError) as exc:
            services.meeting_create(actor=secretary, board=board_a, start=START, end=end)
        assert exc.value.message_dict == {"end": ["The end time must be after the start time."]}
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            actor=secretary, board=board_a, start=START, end=dt.datetime(2026, 6, 10, 16)
        )
    assert "end" in exc.value.message_dict
    assert not board_a.meetings.exists()
    meeting = services.meeting_create(
        actor=secretary, board=board_a, start=START, end=START + dt.timedelta(hours=2)
    )
    assert meeting.end == dt.datetime(2026, 6, 10, 16, 0, tzinfo=LONDON)
    # Moving the start past the end is refused by name, and nothing changes.
    with pytest.raises(ValidationError) as exc:
        services.meeting_update(
            actor=secretary,
            meeting=meeting.pk,
            expected_version=1,
            start=START + dt.timedelta(hours=3),
        )
    assert "end" in exc.value.message_dict
    meeting.refresh_from_db()
    assert meeting.start == START and meeting.version == 1


def test_meeting_update_records_history_and_refuses_a_stale_version(user_as, meeting):
    secretary = user_as("secretary_a")
    changed = services.meeting_update(
        actor=secretary, meeting=meeting.pk, expected_version=1, location="Nuneaton Town Hall"
    )
    assert changed.version == 2
    last = changed.history.first()
    assert last.history_user == secretary and last.history_change_reason == "Meeting changed"
    with pytest.raises(services.VersionConflict):
        services.meeting_update(
            actor=secretary, meeting=meeting.pk, expected_version=1, status="cancelled"
        )
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_agenda_numbers_are_unique_per_meeting(user_as, meeting):
    secretary = user_as("secretary_a")
    services.agenda_item_create(
        actor=secretary, meeting=meeting, number=1, title="Welcome", purpose="information"
    )
    with pytest.raises(ValidationError):
        services.agenda_item_create(
            actor=secretary, meeting=meeting, number=1, title="Again", purpose="information"
        )


def test_papers_are_checked_for_type_and_content(user_as, meeting):
    secretary = user_as("secretary_a")
    item = services.agenda_item_create(
        actor=secretary, meeting=meeting, number=1, title="Finance", purpose="decision"
    )
    with pytest.raises(ValidationError):
        services.paper_add(
            actor=secretary,
            item=item,
            title="Script",
            file=SimpleUploadedFile("run.exe", b"MZ", content_type="application/pdf"),
        )
    with pytest.raises(ValidationError):
        services.paper_add(
            actor=secretary,
            item=item,
            title="Fake PDF",
            file=SimpleUploadedFile("paper.pdf", b"<html>", content_type="application/pdf"),
        )
    paper = services.paper_add(
        actor=secretary, item=item, title="Report", url="https://example.org/report.pdf"
    )
    assert paper.url and not paper.file


def test_quorum_counts_voting_seats_present_or_by_deputy(user_as, meeting, board_a, seats):
    secretary = user_as("secretary_a")
    services.attendance_record(
        actor=secretary, meeting=meeting, membership=seats[0], status="present"
    )
    services.attendance_record(
        actor=secretary,
        meeting=meeting,
        membership=seats[1],
        status="deputy",
        deputy_name="A Deputy",
    )
    services.attendance_record(
        actor=secretary, meeting=meeting, membership=seats[2], status="apologies"
    )
    board_a.quorum = 2
    quorum = meeting_quorum(meeting)
    assert quorum.attending == 2 and quorum.met
    assert str(quorum).startswith("quorate: 2 of ")
    assert str(quorum).endswith(", quorum 2")


def test_a_deputy_must_be_named(user_as, meeting, board_a):
    seat = Membership.objects.active_on(START.date()).filter(board=board_a).first()
    with pytest.raises(ValidationError):
        services.attendance_record(
            actor=user_as("secretary_a"), meeting=meeting, membership=seat, status="deputy"
        )


def test_attendance_is_for_a_seat_of_the_meetings_board(user_as, meeting, board_b):
    seat = Membership.objects.filter(board=board_b).first()
    with pytest.raises(ValidationError):
        services.attendance_record(
            actor=user_as("secretary_a"), meeting=meeting, membership=seat, status="present"
        )


def test_a_conflict_prompt_when_a_members_interest_names_an_items_organisation(
    user_as, meeting, seats
):
    secretary = user_as("secretary_a")
    seat = seats[0]
    org, other = OrganisationFactory(), OrganisationFactory()
    services.interest_create(
        actor=secretary,
        person=seat.person,
        organisation=org,
        description="Director",
        kind="financial",
        declared_on=dt.date(2026, 1, 5),
    )
    services.agenda_item_create(
        actor=secretary,
        meeting=meeting,
        number=3,
        title="Contract award",
        purpose="decision",
        organisations=[org],
    )
    services.agenda_item_create(
        actor=secretary,
        meeting=meeting,
        number=4,
        title="Other",
        purpose="decision",
        organisations=[other],
    )
    prompts = meeting_conflicts(meeting)
    assert [(p.item.number, p.membership.person_id) for p in prompts] == [(3, seat.person_id)]
    assert "financial interest in" in str(prompts[0])


def test_an_ended_interest_raises_no_prompt(user_as, meeting, seats):
    secretary = user_as("secretary_a")
    seat = seats[0]
    org = OrganisationFactory()
    services.interest_create(
        actor=secretary,
        person=seat.person,
        organisation=org,
        description="Former trustee",
        kind="non_financial_personal",
        declared_on=dt.date(2025, 1, 5),
        end_date=dt.date(2026, 1, 1),
    )
    services.agenda_item_create(
        actor=secretary,
        meeting=meeting,
        number=1,
        title="X",
        purpose="decision",
        organisations=[org],
    )
    assert meeting_conflicts(meeting) == []


def test_secretary_of_another_board_cannot_keep_this_persons_interests(user_as, seats):
    person = seats[0].person
    with pytest.raises(PermissionDenied):
        services.interest_create(
            actor=user_as("secretary_b"),
            person=person,
            description="x",
            kind="indirect",
            declared_on=dt.date(2026, 1, 1),
        )


def test_private_items_only_for_members_secretaries_and_admins(user_as, meeting, board_a, seats):
    secretary = user_as("secretary_a")
    services.agenda_item_create(
        actor=secretary, meeting=meeting, number=1, title="Public", purpose="information"
    )
    services.agenda_item_create(
        actor=secretary,
        meeting=meeting,
        number=2,
        title="Part II",
        purpose="decision",
        is_public=False,
    )
    private_meeting = services.meeting_create(
        actor=secretary, board=board_a, start=START, is_public=False
    )

    def seen(user):
        return (
            sorted(items_for(user).filter(meeting=meeting).values_list("title", flat=True)),
            meetings_for(user).filter(pk=private_meeting.pk).exists(),
        )

    everything = (["Part II", "Public"], True)
    assert seen(secretary) == everything
    assert seen(user_as("admin")) == everything
    commissioner = user_as("commissioner")
    assert seen(commissioner) == (["Public"], False)
    assert seen(user_as("secretary_b")) == (["Public"], False)
    # Linked to a person who sits on the board today: a member reads its private business.
    seat = seats[0]
    seat.person.user = user_as("analyst")
    seat.person.save(update_fields=["user"])
    assert seen(user_as("analyst")) == everything


def test_actions_overdue_and_marked_done(user_as, meeting, board_a):
    secretary = user_as("secretary_a")
    action = services.action_create(
        actor=secretary,
        board=board_a,
        meeting=meeting,
        description="Report on waiting times",
        owner="Director of Operations",
        due_date=dt.date(2026, 7, 1),
    )
    assert list(board_a.actions.overdue(dt.date(2026, 7, 2))) == [action]
    services.action_update(actor=secretary, action=action.pk, expected_version=1, status="done")
    assert not board_a.actions.overdue(dt.date(2026, 7, 2)).exists()


def test_decision_is_recorded_once_per_item(user_as, meeting):
    secretary = user_as("secretary_a")
    item = services.agenda_item_create(
        actor=secretary, meeting=meeting, number=1, title="Plan", purpose="decision"
    )
    services.decision_record(actor=secretary, item=item, text="Approved", decided_on=START.date())
    services.decision_record(
        actor=secretary, item=item, text="Approved with changes", decided_on=START.date()
    )
    item.refresh_from_db()
    assert item.decision.text == "Approved with changes"


def test_calendar_token_renew_replaces_the_old_secret(user_as):
    user = user_as("commissioner")
    first = services.calendar_token_renew(user=user).key
    second = services.calendar_token_renew(user=user).key
    assert first != second
    services.calendar_token_revoke(user=user)
    assert not hasattr(type(user).objects.get(pk=user.pk), "calendar_token")
