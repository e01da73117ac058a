"""Reads about meetings: who may see what, quorum at a meeting, conflicts of interest, records."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from .choices import AttendanceStatus
from .models import (
    AgendaItem,
    Attendance,
    Board,
    Declaration,
    Interest,
    Meeting,
    Membership,
)
from .permissions import private_board_ids

# Who counts towards the quorum: a seat present in person or by its named deputy.
COUNTS_TOWARDS_QUORUM = (AttendanceStatus.PRESENT, AttendanceStatus.DEPUTY)


def meetings_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Meeting]:
    """Meetings the user may see: public ones, and private ones of boards they may read."""
    return Meeting.objects.visible_to(private_board_ids(user))


def items_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[AgendaItem]:
    """Agenda items the user may see: public items of public meetings, and every item of the
    boards whose private business they may read."""
    allowed = private_board_ids(user)
    if allowed is None:
        return AgendaItem.objects.all()
    return AgendaItem.objects.filter(
        Q(is_public=True, meeting__is_public=True) | Q(meeting__board_id__in=allowed)
    )


def meeting_day(meeting: Meeting) -> dt.date:
    return timezone.localtime(meeting.start).date()


@dataclass(frozen=True)
class MeetingQuorum:
    """How many voting seats attended (in person or by deputy), of those held, and the quorum."""

    attending: int
    voting_seats: int
    quorum: int | None

    @property
    def met(self) -> bool | None:
        return None if self.quorum is None else self.attending >= self.quorum

    def __str__(self):
        counted = f"{self.attending} of {self.voting_seats} voting members"
        if self.quorum is None:
            return f"{counted}; the board's quorum is not stated"
        return f"{'quorate' if self.met else 'not quorate'}: {counted}, quorum {self.quorum}"


def meeting_quorum(meeting: Meeting) -> MeetingQuorum:
    """Quorum at ``meeting`` from its recorded attendance and the voting seats held that day."""
    seats = Membership.objects.active_on(meeting_day(meeting)).filter(
        board_id=meeting.board_id, voting=True
    )
    counts = seats.aggregate(
        held=Count("pk", filter=Q(person__isnull=False) | Q(person_not_named=True)),
        attending=Count(
            "attendances",
            filter=Q(
                attendances__meeting=meeting,
                attendances__status__in=COUNTS_TOWARDS_QUORUM,
            ),
        ),
    )
    return MeetingQuorum(
        attending=counts["attending"], voting_seats=counts["held"], quorum=meeting.board.quorum
    )


def seats_at(meeting: Meeting) -> list[Membership]:
    """The seats held on the meeting's day, each with ``attendance`` (or None) attached."""
    seats = list(
        Membership.objects.active_on(meeting_day(meeting))
        .filter(board_id=meeting.board_id)
        # person__system: the link to a person's interests names it
        .select_related("person__system", "on_behalf_of")
        .order_by("role", "person__name", "id")
    )
    recorded = {a.membership_id: a for a in Attendance.objects.filter(meeting=meeting)}
    for seat in seats:
        seat.attendance = recorded.get(seat.pk)
    return seats


@dataclass(frozen=True)
class ConflictPrompt:
    """A member's current interest names an organisation that an agenda item concerns."""

    item: AgendaItem
    membership: Membership
    interest: Interest

    def __str__(self):
        return (
            f"Item {self.item.number}: {self.membership.person.name} has a "
            f"{self.interest.get_kind_display().lower()} interest in "
            f"{self.interest.organisation.name} ({self.interest.description})"
        )


def meeting_conflicts(
    meeting: Meeting, items: list[AgendaItem] | None = None
) -> list[ConflictPrompt]:
    """Conflict prompts for ``meeting`` (or only ``items`` of it), in agenda order."""
    day = meeting_day(meeting)
    if items is None:
        items = list(meeting.items.prefetch_related("organisations"))
    concerned = defaultdict(list)
    for item in items:
        for org in item.organisations.all():
            concerned[org.pk].append(item)
    if not concerned:
        return []
    seats = (
        Membership.objects.active_on(day)
        .filter(board_id=meeting.board_id, person__isnull=False)
        .select_related("person")
    )
    seat_of = {seat.person_id: seat for seat in seats}
    interests = (
        Interest.objects.active_on(day)
        .filter(person_id__in=seat_of, organisation_id__in=concerned)
        .select_related("organisation")
        .order_by("person__name", "id")
    )
    prompts = [
        ConflictPrompt(item=item, membership=seat_of[interest.person_id], interest=interest)
        for interest in interests
        for item in concerned[interest.organisation_id]
    ]
    return sorted(prompts, key=lambda p: (p.item.number, p.membership.person.name))


def attendance_record(board: Board, *, limit: int = 12) -> tuple[list[Meeting], list[dict]]:
    """The board's last ``limit`` held meetings, and each recorded seat's status at each."""
    meetings = list(Meeting.objects.filter(board=board, status="held").order_by("-start")[:limit])
    meetings.reverse()
    rows: dict[int, dict] = {}
    for a in (
        Attendance.objects.filter(meeting__in=meetings)
        .select_related("membership__person", "membership__on_behalf_of")
        .order_by("membership__person__name", "membership_id")
    ):
        row = rows.setdefault(a.membership_id, {"membership": a.membership, "by_meeting": {}})
        row["by_meeting"][a.meeting_id] = a
    for row in rows.values():
        row["cells"] = [row["by_meeting"].get(m.pk) for m in meetings]
    return meetings, list(rows.values())


def items_with_details(meeting: Meeting, user) -> list[AgendaItem]:
    """The meeting's agenda as the user may see it, with papers, organisations and decisions."""
    return list(
        items_for(user)
        .filter(meeting=meeting)
        # meeting__board: each paper's address names the board
        .select_related("decision", "meeting__board")
        .prefetch_related(
            "organisations",
            "papers",
            # person__system: each declaration links to the person's interests, naming it
            Prefetch("declarations", queryset=Declaration.objects.select_related("person__system")),
        )
    )


@dataclass
class BoardMeetings:
    """What the board's page shows about its meetings, for one user."""

    upcoming: list[Meeting]
    past: list[Meeting]
    overdue_actions: list
    attendance_meetings: list[Meeting]
    attendance_rows: list[dict]
    calendar_key: str | None


def board_meetings(board: Board, user, *, past_limit: int = 6) -> BoardMeetings:
    """The next and past meetings the user may see, overdue actions, the attendance record of
    the last held meetings, and the user's private calendar key (if they made one)."""
    now = timezone.now()
    visible = meetings_for(user).filter(board=board).select_related("board")
    token = getattr(user, "calendar_token", None) if user.is_authenticated else None
    meetings, rows = attendance_record(board)
    allowed = private_board_ids(user)
    if allowed is not None and board.pk not in allowed:
        meetings = [m for m in meetings if m.is_public]
    return BoardMeetings(
        upcoming=list(visible.filter(start__gte=now).order_by("start", "id")[:3]),
        past=list(visible.filter(start__lt=now).order_by("-start", "-id")[:past_limit]),
        overdue_actions=list(
            board.actions.overdue(timezone.localdate())
            .filter(Q(meeting__isnull=True) | Q(meeting__in=visible))
            .order_by("due_date", "id")
        ),
        attendance_meetings=meetings,
        attendance_rows=[
            {**row, "cells": [row["by_meeting"].get(m.pk) for m in meetings]} for row in rows
        ],
        calendar_key=token.key if token else None,
    )
