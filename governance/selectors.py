"""Reads for board pages: current seats, membership as at a date, changes between dates, history.

The as-at and changes reads use the history tables: one query fetches every recorded state of
every membership of a board, and the rest is done in Python, so the number of queries does not
grow with the number of members or changes.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model, Prefetch, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from .choices import EndReason, Role
from .models import Board, BoardStatement, Membership, Organisation, WorkstreamLead
from .permissions import editable_board_ids

ROLE_ORDER = {value: rank for rank, value in enumerate(Role.values)}
TERMS_ENDING_WITHIN_DAYS = 90

# Fields whose changes the history list shows, in display order.
MEMBERSHIP_HISTORY_FIELDS = (
    "person",
    "person_not_named",
    "on_behalf_of",
    "role",
    "label",
    "voting",
    "start_date",
    "end_date",
    "end_reason",
    "note",
)
BOARD_HISTORY_FIELDS = (
    "name",
    "abbreviation",
    "level",
    "place",
    "purpose",
    "meeting_frequency",
    "chair_arrangement",
    "quorum",
    "status",
    "status_as_written",
)
ACTIONS = {"+": "Added", "~": "Changed", "-": "Deleted"}


@dataclass(frozen=True)
class SeatAt:
    """A seat as it stood: who (or vacant / not named), for whom, in what role, for what term."""

    membership_id: int
    person_id: int | None
    person_name: str
    person_not_named: bool
    organisation: str
    role: str
    role_display: str
    label: str
    voting: bool
    start_date: dt.date | None
    end_date: dt.date | None
    end_reason: str
    end_reason_display: str

    @property
    def who(self) -> str:
        if self.person_id:
            return self.person_name
        return "Not named in the source" if self.person_not_named else "Vacant"

    @property
    def sort_key(self) -> tuple:
        return (ROLE_ORDER.get(self.role, 99), self.organisation, self.person_name)


@dataclass(frozen=True)
class RoleChange:
    """A seat whose role changed on ``on``: in place, or by ending one seat and starting another."""

    seat: SeatAt
    before: str
    after: str
    on: dt.date
    by: str


# What "between two dates" is about: when a change was recorded (the history's dates), or the
# terms themselves (when memberships started and ended, whenever that was entered).
CHANGES_BY_RECORDED = "recorded"
CHANGES_BY_TERMS = "terms"
CHANGES_BY = ((CHANGES_BY_RECORDED, "By date recorded"), (CHANGES_BY_TERMS, "By term dates"))


@dataclass(frozen=True)
class RecordedChange:
    """Any other change to a seat, as recorded: when, by whom, each field before and after."""

    seat: SeatAt
    when: dt.datetime
    by: str
    changes: tuple["FieldChange", ...]


@dataclass
class BoardChanges:
    """Memberships that started, ended or changed role between two dates, inclusive.

    ``by`` says which dates: the terms' (``added`` holds seats whose term started in the dates)
    or the records' (``added`` holds seats entered in the dates, whatever their term, and
    ``changed`` every other change recorded in them).
    """

    start: dt.date
    end: dt.date
    by: str = CHANGES_BY_TERMS
    added: list[SeatAt] = field(default_factory=list)
    ended: list[SeatAt] = field(default_factory=list)
    role_changes: list[RoleChange] = field(default_factory=list)
    changed: list[RecordedChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.ended or self.role_changes or self.changed)


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded change: when, by whom, to what, and each field's value before and after."""

    when: dt.datetime
    who: str
    action: str
    subject: str
    reason: str
    changes: tuple[FieldChange, ...]
    order: tuple = ()


@dataclass(frozen=True)
class QuorumStatus:
    quorum: int | None
    voting_seated: int

    @property
    def stated(self) -> bool:
        return self.quorum is not None

    @property
    def met(self) -> bool | None:
        return None if self.quorum is None else self.voting_seated >= self.quorum


def _display(record: Model, name: str) -> str:
    f = record._meta.get_field(name)
    value = getattr(record, f.attname)
    if value is None or value == "":
        return "—"
    if f.is_relation:
        return str(getattr(record, name))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return date_format(value, "j F Y")
    return str(value)


def _who(record) -> str:
    user = record.history_user
    return user.get_username() if user else "Data load"


def _person_name(state) -> str:
    """The name of the seat's holder; a historical state may name a person since deleted."""
    if not state.person_id:
        return ""
    person = state.person
    return person.name if person is not None else "a person since removed"


def _seat(state, term=None) -> SeatAt:
    """A seat from a membership (or a historical state of one), its term from ``term``."""
    term = term or state
    return SeatAt(
        membership_id=state.id,
        person_id=state.person_id,
        person_name=_person_name(state),
        person_not_named=state.person_not_named,
        organisation=state.on_behalf_of.name if state.on_behalf_of_id else "",
        role=state.role,
        role_display=Role(state.role).label if state.role in Role.values else state.role,
        label=state.label,
        voting=state.voting,
        start_date=term.start_date,
        end_date=term.end_date,
        end_reason=term.end_reason,
        end_reason_display=(
            EndReason(term.end_reason).label if term.end_reason in EndReason.values else ""
        ),
    )


def _covers(start: dt.date | None, end: dt.date | None, day: dt.date) -> bool:
    return (start is None or start <= day) and (end is None or end >= day)


def _membership_timelines(board: Board) -> dict[int, list]:
    """Every recorded state of every membership of ``board``, oldest first, by membership id."""
    # person, on_behalf_of: each state's names; history_user: who made it
    records = (
        Membership.history.filter(board_id=board.pk)
        .select_related("person", "on_behalf_of", "history_user")
        .order_by("id", "history_date", "history_id")
    )
    timelines: dict[int, list] = defaultdict(list)
    for record in records:
        timelines[record.id].append(record)
    return timelines


def board_members_as_at(board: Board, day: dt.date) -> list[SeatAt]:
    """Who sat on ``board`` on ``day``, from the history tables.

    A membership counts when its term (as last recorded) covers the day; who held it, for whom
    and in what role are as recorded at the end of that day, or as first recorded if it was
    entered later. Deleted memberships never count.
    """
    seats = []
    for records in _membership_timelines(board).values():
        latest = records[-1]
        if latest.history_type == "-" or not _covers(latest.start_date, latest.end_date, day):
            continue
        known = [r for r in records if timezone.localdate(r.history_date) <= day]
        seats.append(_seat(known[-1] if known else records[0], term=latest))
    return sorted(seats, key=lambda s: s.sort_key)


# Changes a seat's "changed" entry lists; role and the end have lists of their own.
OTHER_CHANGE_FIELDS = tuple(
    name for name in MEMBERSHIP_HISTORY_FIELDS if name not in ("role", "end_date", "end_reason")
)


def _recorded_changes(changes: BoardChanges, records: list, latest) -> None:
    """Add to ``changes`` what was recorded about one membership in its dates."""
    start, end = changes.start, changes.end
    previous = None
    for record in records:
        if not start <= timezone.localdate(record.history_date) <= end:
            previous = record
            continue
        if record.history_type == "+":
            changes.added.append(_seat(record, term=latest))
        elif record.history_type == "~" and previous is not None:
            if record.end_date and record.end_date != previous.end_date:
                changes.ended.append(_seat(record))
            others = _field_changes(previous, record, OTHER_CHANGE_FIELDS)
            if others:
                changes.changed.append(
                    RecordedChange(
                        seat=_seat(record),
                        when=record.history_date,
                        by=_who(record),
                        changes=others,
                    )
                )
        previous = record


def board_changes_between(
    board: Board, start: dt.date, end: dt.date, *, by: str = CHANGES_BY_TERMS
) -> BoardChanges:
    """What changed on ``board`` from ``start`` to ``end`` inclusive: added, ended, changed role.

    By term dates (``by="terms"``), added and ended come from the terms as last recorded; by
    date recorded (``by="recorded"``), from the history: what was entered, ended or otherwise
    changed in the dates, whatever the terms say. Either way a role changed in place is found
    in the history, and a person whose seat ended for "role changed" and who took another seat
    on the same or next day is one role change, not an end and an addition.
    """
    changes = BoardChanges(start=start, end=end, by=by)
    for records in _membership_timelines(board).values():
        latest = records[-1]
        if latest.history_type == "-":
            continue
        if by == CHANGES_BY_RECORDED:
            _recorded_changes(changes, records, latest)
        else:
            seat = _seat(latest)
            if latest.start_date and start <= latest.start_date <= end:
                changes.added.append(seat)
            if latest.end_date and start <= latest.end_date <= end:
                changes.ended.append(seat)
        for before, after in pairwise(records):
            on = timezone.localdate(after.history_date)
            if after.history_type == "~" and before.role != after.role and start <= on <= end:
                changes.role_changes.append(
                    RoleChange(
                        seat=_seat(after, term=latest),
                        before=_display(before, "role"),
                        after=_display(after, "role"),
                        on=on,
                        by=_who(after),
                    )
                )
    for gone in list(changes.ended):
        if gone.person_id is None or gone.end_reason != EndReason.ROLE_CHANGED:
            continue
        follow_on = next(
            (
                new
                for new in changes.added
                if new.person_id == gone.person_id
                and new.start_date in (gone.end_date, gone.end_date + dt.timedelta(days=1))
            ),
            None,
        )
        if follow_on:
            changes.ended.remove(gone)
            changes.added.remove(follow_on)
            changes.role_changes.append(
                RoleChange(
                    seat=follow_on,
                    before=gone.role_display,
                    after=follow_on.role_display,
                    on=follow_on.start_date,
                    by="",
                )
            )
    # An unstated start (seats loaded from the documents) sorts first.
    changes.added.sort(key=lambda s: (s.start_date or dt.date.min, s.sort_key))
    changes.ended.sort(key=lambda s: (s.end_date, s.sort_key))
    changes.role_changes.sort(key=lambda c: (c.on, c.seat.sort_key))
    changes.changed.sort(key=lambda c: (c.when, c.seat.sort_key))
    return changes


def _field_changes(previous, record, fields: tuple[str, ...]) -> tuple[FieldChange, ...]:
    changes = []
    for name in fields:
        attname = record._meta.get_field(name).attname
        value = getattr(record, attname)
        if previous is None:
            # A new row: show what it was created with, leaving out empty and "no" values.
            if value in (None, "", False):
                continue
            before = "—"
        elif getattr(previous, attname) == value:
            continue
        else:
            before = _display(previous, name)
        label = str(record._meta.get_field(name).verbose_name)
        changes.append(
            FieldChange(
                label=label[:1].upper() + label[1:], before=before, after=_display(record, name)
            )
        )
    return tuple(changes)


def _entries(records: list, fields: tuple[str, ...], subject) -> list[HistoryEntry]:
    entries = []
    previous = None
    for record in records:
        deleted = record.history_type == "-"
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=_who(record),
                action=ACTIONS.get(record.history_type, record.history_type),
                subject=subject(record),
                reason=record.history_change_reason or "",
                changes=() if deleted else _field_changes(previous, record, fields),
                order=(record.history_date, record.history_id),
            )
        )
        previous = record
    return entries


def board_history(board: Board) -> list[HistoryEntry]:
    """Every recorded change to the board and its memberships, newest first, field by field."""
    entries = []
    for records in _membership_timelines(board).values():
        entries += _entries(
            records,
            MEMBERSHIP_HISTORY_FIELDS,
            lambda r: (
                f"{_seat(r).who} ({_display(r, 'role')})"
                + (f" for {r.on_behalf_of.name}" if r.on_behalf_of_id else "")
            ),
        )
    # place: shown when a board's Place changed; history_user: who changed it
    board_records = list(
        Board.history.filter(id=board.pk)
        .select_related("place", "history_user")
        .order_by("history_date", "history_id")
    )
    entries += _entries(board_records, BOARD_HISTORY_FIELDS, lambda r: "Board details")
    return sorted(entries, key=lambda e: e.order, reverse=True)


def boards_for_page() -> QuerySet[Board]:
    """Boards with everything of governance a board's page shows, in a fixed number of queries."""
    return (
        Board.objects.select_related("place", "source_document", "system")
        .with_current_members()
        .prefetch_related(
            Prefetch(
                "statements", queryset=BoardStatement.objects.select_related("source_document")
            ),
            "required_organisations",
            "reports_to",
            "reporting_boards",
        )
    )


def seats_with_days_left(board: Board, today: dt.date) -> list[Membership]:
    """The board's current memberships in role order, each with ``days_left`` in its term."""
    seats = sorted(
        board.current,
        key=lambda m: (
            ROLE_ORDER.get(m.role, 99),
            m.on_behalf_of.name if m.on_behalf_of_id else "",
            m.person.name if m.person_id else "",
            m.pk,
        ),
    )
    for m in seats:
        m.days_left = (m.end_date - today).days if m.end_date else None
    return seats


def organisations_missing(board: Board) -> list[Organisation]:
    """Required organisations with no current, non-vacant seat (needs ``with_current_members``)."""
    represented = {m.on_behalf_of_id for m in board.current if not m.is_vacant}
    return [o for o in board.required_organisations.all() if o.pk not in represented]


def quorum_status(board: Board) -> QuorumStatus:
    """The board's quorum (None when the documents state none) and its seated voting members."""
    seated = sum(1 for m in board.current if m.voting and not m.is_vacant)
    return QuorumStatus(quorum=board.quorum, voting_seated=seated)


@dataclass
class SecretaryOverview:
    boards: list[Board]
    terms_ending: list[Membership]
    horizon: dt.date

    @property
    def boards_missing(self) -> list[Board]:
        return [board for board in self.boards if board.missing]


def secretary_overview(user: AbstractBaseUser, today: dt.date) -> SecretaryOverview:
    """A secretary's boards (each with ``missing`` organisations) and terms ending in 90 days."""
    ids = editable_board_ids(user)
    horizon = today + dt.timedelta(days=TERMS_ENDING_WITHIN_DAYS)
    boards = list(
        Board.objects.filter(pk__in=ids)
        .with_current_members(today)
        .prefetch_related("required_organisations")
        .order_by("name")
    )
    for board in boards:
        board.missing = organisations_missing(board)
    # board: its name and link; person, on_behalf_of: each row's names
    terms_ending = list(
        Membership.objects.filter(board_id__in=ids, end_date__gte=today, end_date__lte=horizon)
        .select_related("board", "person", "on_behalf_of")
        .order_by("end_date", "board__name", "pk")
    )
    for m in terms_ending:
        m.days_left = (m.end_date - today).days
    return SecretaryOverview(boards=boards, terms_ending=terms_ending, horizon=horizon)


def workstream_leads(facts) -> dict[int, list[WorkstreamLead]]:
    """The leads of those ``facts`` that are workstreams, by fact id, in their order (one
    query): each names its organisation, board or post and cites its line."""
    leads: dict[int, list[WorkstreamLead]] = defaultdict(list)
    # organisation, board, person: the lead named; source_document: its citation
    for lead in WorkstreamLead.objects.filter(
        workstream_id__in=[f.pk for f in facts]
    ).select_related("organisation", "board", "person", "source_document"):
        leads[lead.workstream_id].append(lead)
    return dict(leads)


# -- lineage -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lineage:
    """A body's predecessors (the successions that led to it) and successors (those that
    replaced it), each a succession row with its date, kind, reason and source."""

    predecessors: list
    successors: list

    def __bool__(self) -> bool:
        return bool(self.predecessors or self.successors)


def lineage_of(body) -> Lineage:
    """The successions into and out of an organisation or a board: two queries."""
    related = ("predecessor", "successor", "source_document")
    return Lineage(
        predecessors=list(body.predecessions.select_related(*related)),
        successors=list(body.successions.select_related(*related)),
    )
