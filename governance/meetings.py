"""Changes to meetings, agendas, attendance, interests, declarations, decisions and actions.

Each function checks, in this order, that the actor may write (the board's secretaries and
administrators), that the change is valid, and then writes it with the actor and a reason in the
history, atomically. Updates name the ``expected_version`` the writer read and are refused with
``VersionConflict`` when the row has changed since.
"""

import datetime as dt
import mimetypes
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format

from icsportal.history import save_with_reason
from icsportal.roles import is_admin

from .choices import ActionStatus, AttendanceStatus
from .models import (
    Action,
    AgendaItem,
    Attendance,
    Board,
    CalendarToken,
    Decision,
    Declaration,
    Interest,
    Meeting,
    Membership,
    Organisation,
    Paper,
    Person,
)
from .permissions import can_edit_board, editable_board_ids

ONLY_MEETING_EDITORS = "Only the board's secretaries and administrators can change its meetings."

# Papers: the office and PDF formats boards circulate, at most 20 MB each.
PAPER_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "text/csv",
}
PAPER_MAX_BYTES = 20 * 1024 * 1024


class VersionConflict(Exception):
    """An update based on an out-of-date read: the row's version is not the one the writer read."""

    def __init__(self, *, current: models.Model, expected_version: int):
        self.current = current
        self.expected_version = expected_version
        super().__init__(
            f"{type(current).__name__} {current.pk} is at version {current.version}, "
            f"not {expected_version}: it was changed by someone else."
        )


def _require_editor(actor: AbstractBaseUser, board: Board | int) -> None:
    if not can_edit_board(actor, board):
        raise PermissionDenied(ONLY_MEETING_EDITORS)


def _save_new(obj: models.Model, *, actor: AbstractBaseUser, reason: str) -> models.Model:
    obj.full_clean()
    save_with_reason(obj, actor=actor, reason=reason)
    return obj


def _update(
    obj: models.Model,
    *,
    actor: AbstractBaseUser,
    expected_version: int,
    changes: dict,
    allowed: frozenset[str],
    reason: str,
    check=None,
) -> models.Model:
    """Apply ``changes`` to the locked row ``obj`` read at ``expected_version``; one save."""
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationError({field: "This field cannot be changed." for field in unknown})
    if obj.version != expected_version:
        raise VersionConflict(current=obj, expected_version=expected_version)
    changed = [f for f, v in changes.items() if getattr(obj, f) != v]
    for field in changed:
        setattr(obj, field, changes[field])
    if not changed:
        return obj
    # Before full_clean: a rule that names its field speaks before the table's constraint,
    # whose message names none.
    if check is not None:
        check(obj)
    obj.full_clean()
    bumped = (
        type(obj)
        .objects.filter(pk=obj.pk, version=expected_version)
        .update(version=expected_version + 1)
    )
    if not bumped:
        raise VersionConflict(current=obj, expected_version=expected_version)
    obj.version = expected_version + 1
    extra = ["modified_at"] if any(f.name == "modified_at" for f in obj._meta.fields) else []
    save_with_reason(obj, actor=actor, reason=reason, update_fields=[*changed, "version", *extra])
    return obj


def _locked(model, pk_or_obj, *related: str):
    pk = pk_or_obj if isinstance(pk_or_obj, int) else pk_or_obj.pk
    return model.objects.select_for_update(of=("self",)).select_related(*related).get(pk=pk)


# -- meetings ------------------------------------------------------------------------------------

MEETING_UPDATABLE = frozenset({"title", "start", "end", "location", "link", "status", "is_public"})


def _require_aware(**times: dt.datetime | None) -> None:
    for name, value in times.items():
        if value is not None and timezone.is_naive(value):
            raise ValidationError({name: "Give the time with its time zone."})


def _check_meeting(meeting: Meeting) -> None:
    if meeting.end is not None and meeting.start is not None and meeting.end <= meeting.start:
        raise ValidationError({"end": "The end time must be after the start time."})


@transaction.atomic
def meeting_create(
    *,
    actor: AbstractBaseUser,
    board: Board,
    start: dt.datetime,
    end: dt.datetime | None = None,
    title: str = "",
    location: str = "",
    link: str = "",
    status: str = "scheduled",
    is_public: bool = True,
) -> Meeting:
    """Schedule a meeting of ``board``; ``start`` and ``end`` (if given, after the start) must
    be aware date-times."""
    _require_editor(actor, board)
    _require_aware(start=start, end=end)
    meeting = Meeting(
        board=board,
        start=start,
        end=end,
        title=title,
        location=location,
        link=link,
        status=status,
        is_public=is_public,
    )
    _check_meeting(meeting)
    return _save_new(meeting, actor=actor, reason="Meeting scheduled")


@transaction.atomic
def meeting_update(
    *, actor: AbstractBaseUser, meeting: Meeting | int, expected_version: int, **changes
) -> Meeting:
    """Change a meeting read at ``expected_version`` (its board never changes)."""
    current = _locked(Meeting, meeting, "board")
    _require_editor(actor, current.board_id)
    if "board" in changes:
        raise ValidationError({"board": "A meeting cannot move to another board."})
    _require_aware(start=changes.get("start"), end=changes.get("end"))
    return _update(
        current,
        actor=actor,
        expected_version=expected_version,
        changes=changes,
        allowed=MEETING_UPDATABLE,
        reason="Meeting changed",
        check=_check_meeting,
    )


@transaction.atomic
def pack_publish(*, actor: AbstractBaseUser, meeting: Meeting | int) -> Meeting:
    """Mark the meeting's pack as published (now); publishing twice keeps the first time."""
    current = _locked(Meeting, meeting, "board")
    _require_editor(actor, current.board_id)
    if current.pack_published_at is None:
        current.pack_published_at = timezone.now()
        current.version += 1
        save_with_reason(
            current,
            actor=actor,
            reason="Pack published",
            update_fields=["pack_published_at", "version", "modified_at"],
        )
    return current


# -- agenda items and papers ---------------------------------------------------------------------

ITEM_UPDATABLE = frozenset({"number", "title", "purpose", "presenter", "is_public"})


@transaction.atomic
def agenda_item_create(
    *,
    actor: AbstractBaseUser,
    meeting: Meeting,
    number: int,
    title: str,
    purpose: str,
    presenter: str = "",
    is_public: bool = True,
    organisations: list[Organisation] = (),
) -> AgendaItem:
    """Add an item to ``meeting``'s agenda; the organisations it concerns drive conflict prompts."""
    _require_editor(actor, meeting.board_id)
    item = AgendaItem(
        meeting=meeting,
        number=number,
        title=title,
        purpose=purpose,
        presenter=presenter,
        is_public=is_public,
    )
    _save_new(item, actor=actor, reason="Agenda item added")
    item.organisations.set(organisations)
    return item


@transaction.atomic
def agenda_item_update(
    *, actor: AbstractBaseUser, item: AgendaItem | int, expected_version: int, **changes
) -> AgendaItem:
    """Change an agenda item read at ``expected_version``; ``organisations`` replaces the set."""
    current = _locked(AgendaItem, item, "meeting")
    _require_editor(actor, current.meeting.board_id)
    organisations = changes.pop("organisations", None)
    if "meeting" in changes:
        raise ValidationError({"meeting": "An agenda item cannot move to another meeting."})
    current = _update(
        current,
        actor=actor,
        expected_version=expected_version,
        changes=changes,
        allowed=ITEM_UPDATABLE,
        reason="Agenda item changed",
    )
    if organisations is not None and set(current.organisations.all()) != set(organisations):
        if current.version == expected_version:
            # Only the organisations changed: still a new version, so other writers notice.
            AgendaItem.objects.filter(pk=current.pk).update(version=expected_version + 1)
            current.version = expected_version + 1
        current.organisations.set(organisations)
    return current


@transaction.atomic
def paper_add(
    *,
    actor: AbstractBaseUser,
    item: AgendaItem,
    title: str,
    file: UploadedFile | None = None,
    url: str = "",
) -> Paper:
    """Attach a paper to ``item``: an uploaded PDF or office file of at most 20 MB, or a link."""
    _require_editor(actor, item.meeting.board_id)
    if (file is None) == (not url):
        raise ValidationError({"file": "Upload a file or give a link, not both."})
    paper = Paper(item=item, title=title, url=url)
    if file is not None:
        guessed = mimetypes.guess_type(file.name)[0] or ""
        if guessed not in PAPER_TYPES:
            raise ValidationError({"file": "Upload a PDF, Word, Excel, PowerPoint or CSV file."})
        if file.size > PAPER_MAX_BYTES:
            raise ValidationError({"file": "The file is larger than 20 MB."})
        if guessed == "application/pdf":
            head = file.read(5)
            file.seek(0)
            if head != b"%PDF-":
                raise ValidationError({"file": "The file is not a PDF."})
        paper.file = file
        paper.content_type = guessed
        paper.size = file.size
    paper.full_clean()
    paper.save()
    return paper


# -- attendance ----------------------------------------------------------------------------------


def _check_attendance(attendance: Attendance) -> None:
    meeting, seat = attendance.meeting, attendance.membership
    if seat.board_id != meeting.board_id:
        raise ValidationError({"membership": "This seat is not on the meeting's board."})
    day = timezone.localtime(meeting.start).date()
    if not Membership.objects.active_on(day).filter(pk=seat.pk).exists():
        raise ValidationError({"membership": "This seat was not held on the meeting's date."})


@transaction.atomic
def attendance_record(
    *,
    actor: AbstractBaseUser,
    meeting: Meeting,
    membership: Membership,
    status: str,
    deputy_name: str = "",
) -> Attendance:
    """Record how a seat attended ``meeting`` (a deputy is named)."""
    _require_editor(actor, meeting.board_id)
    attendance = Attendance(
        meeting=meeting,
        membership=membership,
        status=status,
        deputy_name=deputy_name.strip() if status == AttendanceStatus.DEPUTY else "",
    )
    _check_attendance(attendance)
    return _save_new(attendance, actor=actor, reason="Attendance recorded")


@transaction.atomic
def attendance_update(
    *, actor: AbstractBaseUser, attendance: Attendance | int, expected_version: int, **changes
) -> Attendance:
    """Change a seat's attendance read at ``expected_version``."""
    current = _locked(Attendance, attendance, "meeting", "membership")
    _require_editor(actor, current.meeting.board_id)
    if changes.get("status", current.status) != AttendanceStatus.DEPUTY:
        changes["deputy_name"] = ""
    return _update(
        current,
        actor=actor,
        expected_version=expected_version,
        changes=changes,
        allowed=frozenset({"status", "deputy_name"}),
        reason="Attendance changed",
    )


# -- interests and declarations ------------------------------------------------------------------


def can_edit_person(actor: AbstractBaseUser, person: Person | int) -> bool:
    """Whether the actor may keep the person's register of interests: an admin, or a secretary
    of a board on which the person holds or held a seat."""
    if is_admin(actor):
        return True
    boards = editable_board_ids(actor)
    if not boards:
        return False
    person_id = person if isinstance(person, int) else person.pk
    return Membership.objects.filter(person_id=person_id, board_id__in=boards).exists()


def _require_person_editor(actor: AbstractBaseUser, person: Person | int) -> None:
    if not can_edit_person(actor, person):
        raise PermissionDenied(
            "Only the secretaries of this person's boards and administrators can change their "
            "interests."
        )


INTEREST_UPDATABLE = frozenset(
    {"organisation", "description", "kind", "start_date", "end_date", "declared_on", "confirmed_on"}
)


def _check_interest(interest: Interest) -> None:
    start, end = interest.start_date, interest.end_date
    if start is not None and end is not None and end < start:
        raise ValidationError(
            {
                "end_date": "The end date must be the same as or after the start date "
                f"({date_format(start, 'j F Y')})."
            }
        )


@transaction.atomic
def interest_create(
    *,
    actor: AbstractBaseUser,
    person: Person,
    description: str,
    kind: str,
    declared_on: dt.date,
    organisation: Organisation | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    confirmed_on: dt.date | None = None,
) -> Interest:
    """Add an entry to ``person``'s register of interests."""
    _require_person_editor(actor, person)
    interest = Interest(
        person=person,
        organisation=organisation,
        description=description,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        declared_on=declared_on,
        confirmed_on=confirmed_on,
    )
    _check_interest(interest)
    return _save_new(interest, actor=actor, reason="Interest declared")


@transaction.atomic
def interest_update(
    *, actor: AbstractBaseUser, interest: Interest | int, expected_version: int, **changes
) -> Interest:
    """Change an interest read at ``expected_version`` (e.g. its end or annual confirmation)."""
    current = _locked(Interest, interest)
    _require_person_editor(actor, current.person_id)
    return _update(
        current,
        actor=actor,
        expected_version=expected_version,
        changes=changes,
        allowed=INTEREST_UPDATABLE,
        reason="Interest changed",
        check=_check_interest,
    )


@transaction.atomic
def interest_end(
    *, actor: AbstractBaseUser, interest: Interest | int, expected_version: int, end_date: dt.date
) -> Interest:
    """End an interest read at ``expected_version`` on ``end_date`` (its last day): from the
    day after, it raises no conflict prompts."""
    current = _locked(Interest, interest)
    _require_person_editor(actor, current.person_id)
    return _update(
        current,
        actor=actor,
        expected_version=expected_version,
        changes={"end_date": end_date},
        allowed=INTEREST_UPDATABLE,
        reason="Interest ended",
        check=_check_interest,
    )


@transaction.atomic
def interest_confirm(
    *, actor: AbstractBaseUser, interest: Interest | int, expected_version: int
) -> Interest:
    """Record the annual confirmation that an interest read at ``expected_version`` is still
    right: its ``confirmed_on`` becomes today."""
    pk = interest if isinstance(interest, int) else interest.pk
    person_id = Interest.objects.filter(pk=pk).values_list("person_id", flat=True).first()
    if person_id is None:
        raise Interest.DoesNotExist(f"No interest {pk}.")
    _require_person_editor(actor, person_id)
    current = _locked(Interest, pk)
    return _update(
        current,
        actor=actor,
        expected_version=expected_version,
        changes={"confirmed_on": timezone.localdate()},
        allowed=INTEREST_UPDATABLE,
        reason="Interest confirmed (annual confirmation)",
    )


@transaction.atomic
def declaration_record(
    *,
    actor: AbstractBaseUser,
    item: AgendaItem,
    person: Person,
    action: str,
    interest: Interest | None = None,
    note: str = "",
) -> Declaration:
    """Record that ``person`` declared an interest at ``item`` and the action taken."""
    _require_editor(actor, item.meeting.board_id)
    if interest is not None and interest.person_id != person.pk:
        raise ValidationError({"interest": "This interest is another person's."})
    declaration = Declaration(item=item, person=person, interest=interest, action=action, note=note)
    return _save_new(declaration, actor=actor, reason="Interest declared at the meeting")


@transaction.atomic
def declaration_update(
    *, actor: AbstractBaseUser, declaration: Declaration | int, expected_version: int, **changes
) -> Declaration:
    """Change a declaration's action or note, read at ``expected_version``."""
    current = _locked(Declaration, declaration, "item__meeting")
    _require_editor(actor, current.item.meeting.board_id)
    return _update(
        current,
        actor=actor,
        expected_version=expected_version,
        changes=changes,
        allowed=frozenset({"action", "note", "interest"}),
        reason="Declaration changed",
    )


# -- decisions and actions -----------------------------------------------------------------------


@transaction.atomic
def decision_record(
    *, actor: AbstractBaseUser, item: AgendaItem, text: str, decided_on: dt.date
) -> Decision:
    """Record (or replace) the decision on ``item``."""
    _require_editor(actor, item.meeting.board_id)
    decision = Decision.objects.filter(item=item).first() or Decision(item=item)
    decision.text = text
    decision.decided_on = decided_on
    return _save_new(decision, actor=actor, reason="Decision recorded")


ACTION_UPDATABLE = frozenset({"description", "owner", "due_date", "status"})


@transaction.atomic
def action_create(
    *,
    actor: AbstractBaseUser,
    board: Board,
    description: str,
    owner: str,
    due_date: dt.date,
    meeting: Meeting | None = None,
    item: AgendaItem | None = None,
    status: str = ActionStatus.OPEN,
) -> Action:
    """Record an action of ``board``, from one of its meetings (and an item) if given."""
    _require_editor(actor, board)
    if meeting is not None and meeting.board_id != board.pk:
        raise ValidationError({"meeting": "This meeting is another board's."})
    if item is not None:
        if meeting is None:
            meeting = item.meeting
        if item.meeting_id != meeting.pk:
            raise ValidationError({"item": "This item is not on the meeting's agenda."})
    action = Action(
        board=board,
        meeting=meeting,
        item=item,
        description=description,
        owner=owner,
        due_date=due_date,
        status=status,
    )
    return _save_new(action, actor=actor, reason="Action recorded")


@transaction.atomic
def action_update(
    *, actor: AbstractBaseUser, action: Action | int, expected_version: int, **changes
) -> Action:
    """Change an action read at ``expected_version`` (e.g. mark it done)."""
    current = _locked(Action, action)
    _require_editor(actor, current.board_id)
    return _update(
        current,
        actor=actor,
        expected_version=expected_version,
        changes=changes,
        allowed=ACTION_UPDATABLE,
        reason="Action changed",
    )


# -- calendar subscription -----------------------------------------------------------------------


@transaction.atomic
def calendar_token_renew(*, user: AbstractBaseUser) -> CalendarToken:
    """Give ``user`` a new private calendar link; the old one stops working."""
    token, _ = CalendarToken.objects.select_for_update().get_or_create(
        user=user, defaults={"key": secrets.token_urlsafe(32)}
    )
    token.key = secrets.token_urlsafe(32)
    token.save(update_fields=["key"])
    return token


def calendar_token_revoke(*, user: AbstractBaseUser) -> None:
    """Withdraw ``user``'s private calendar link."""
    CalendarToken.objects.filter(user=user).delete()
