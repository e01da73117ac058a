"""The daily notices to board secretaries: terms ending, seats vacant, packs due, actions overdue.

Each event has a key; a user is told about an event once (``Notification``'s unique key), so a
job that runs twice, or on two beat machines, sends no duplicate e-mail.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from icsportal.roles import PortalRole

from .choices import ActionStatus, MeetingStatus
from .models import Action, Meeting, Membership, Notification, RoleGrant

TERM_WARNING_DAYS = 90
VACANT_DAYS = 30
PACK_WORKING_DAYS = 5


@dataclass(frozen=True)
class Event:
    board_id: int
    key: str
    text: str


def working_days_before(day: dt.date, n: int) -> dt.date:
    """The date ``n`` working days (Monday to Friday) before ``day``."""
    while n:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def events_on(today: dt.date) -> list[Event]:
    """Every event a board's secretaries should hear about on ``today``."""
    events = []
    ending = (
        Membership.objects.filter(
            end_date__gte=today, end_date__lte=today + dt.timedelta(days=TERM_WARNING_DAYS)
        )
        .select_related("board", "person")
        .order_by("end_date", "id")
    )
    for m in ending:
        who = m.person.name if m.person_id else "An unnamed seat"
        events.append(
            Event(
                m.board_id,
                f"term-ending:{m.pk}:{m.end_date.isoformat()}",
                f"{m.board.name}: {who}'s term ends on {m.end_date:%d %B %Y}.",
            )
        )
    vacant = (
        Membership.objects.active_on(today)
        .filter(person__isnull=True, person_not_named=False)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=today - dt.timedelta(VACANT_DAYS)))
        .select_related("board", "on_behalf_of")
        .order_by("id")
    )
    for m in vacant:
        seat = f"the {m.on_behalf_of.name} seat" if m.on_behalf_of_id else "a seat"
        events.append(
            Event(
                m.board_id,
                f"vacant:{m.pk}",
                f"{m.board.name}: {seat} has been vacant for {VACANT_DAYS} days or more.",
            )
        )
    horizon = today + dt.timedelta(days=14)
    for meeting in (
        Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED,
            pack_published_at__isnull=True,
            start__date__gte=today,
            start__date__lte=horizon,
        )
        .select_related("board")
        .order_by("start", "id")
    ):
        day = timezone.localtime(meeting.start).date()
        if today >= working_days_before(day, PACK_WORKING_DAYS):
            events.append(
                Event(
                    meeting.board_id,
                    f"pack-due:{meeting.pk}",
                    f"{meeting.board.name}: the pack for the meeting on {day:%d %B %Y} "
                    "is not published yet.",
                )
            )
    for action in (
        Action.objects.filter(status=ActionStatus.OPEN, due_date__lt=today)
        .select_related("board")
        .order_by("due_date", "id")
    ):
        events.append(
            Event(
                action.board_id,
                f"action-overdue:{action.pk}",
                f'{action.board.name}: the action "{action.description[:80]}" '
                f"({action.owner}) was due on {action.due_date:%d %B %Y}.",
            )
        )
    return events


def _record(user, event: Event) -> Notification | None:
    """The new Notification of ``event`` for ``user``, or None when they were already told."""
    try:
        with transaction.atomic():
            return Notification.objects.create(
                user=user, key=event.key, subject=event.text[:300], body=event.text
            )
    except IntegrityError:
        return None


def notifications_send(*, today: dt.date | None = None) -> int:
    """Tell each board's secretaries, in one e-mail each, about events they have not heard of;
    returns the number of e-mails sent."""
    today = today or timezone.localdate()
    events = events_on(today)
    if not events:
        return 0
    secretaries = defaultdict(list)
    for grant in (
        RoleGrant.objects.filter(role=PortalRole.BOARD_SECRETARY, user__is_active=True)
        .prefetch_related("boards")
        .select_related("user")
    ):
        for board in grant.boards.all():
            secretaries[board.pk].append(grant.user)
    sent = 0
    by_user = defaultdict(list)
    for event in events:
        for user in secretaries.get(event.board_id, []):
            notice = _record(user, event)
            if notice is not None:
                by_user[user].append(notice)
    for user, notices in by_user.items():
        if not user.email:
            continue
        body = "\n".join(f"- {n.body}" for n in notices)
        send_mail(
            subject=f"ICS portal: {len(notices)} thing{'s' if len(notices) > 1 else ''} "
            "for your boards",
            message=f"For your boards on {today:%d %B %Y}:\n\n{body}\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
        Notification.objects.filter(pk__in=[n.pk for n in notices]).update(emailed=True)
        sent += 1
    return sent
