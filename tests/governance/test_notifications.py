"""The daily notices: what secretaries are told, once per event, by e-mail and on their page."""

import datetime as dt
import time
import zoneinfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from governance import meetings as services
from governance.models import Board, Membership, Notification
from governance.notifications import notifications_send, working_days_before
from governance.services import role_grant
from tests.factories import MembershipFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
BOARD = "warwickshire-north-place-executive"
TODAY = dt.date(2026, 6, 1)  # a Monday


def events_for(board, today=TODAY):
    """A term ending in 60 days, a seat vacant 40 days, a meeting in 4 working days with no
    pack, and an overdue action."""
    secretary = role_grant(username="note-sec", role="board_secretary", board_slugs=[BOARD]).user
    secretary.email = "secretary@example.org"
    secretary.save(update_fields=["email"])
    MembershipFactory(board=board, end_date=today + dt.timedelta(days=60))
    Membership.objects.create(board=board, person=None, start_date=today - dt.timedelta(days=40))
    tomorrow = today + dt.timedelta(days=1)
    services.meeting_create(
        actor=secretary,
        board=board,
        start=dt.datetime.combine(tomorrow, dt.time(10), tzinfo=LONDON),
    )
    services.action_create(
        actor=secretary,
        board=board,
        description="Write the plan",
        owner="Director",
        due_date=today - dt.timedelta(days=1),
    )
    return secretary


def test_working_days_before_skips_weekends():
    assert working_days_before(dt.date(2026, 6, 8), 5) == dt.date(2026, 6, 1)


@pytest.mark.django_db
def test_secretaries_get_one_email_per_run_and_none_twice(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    board = Board.objects.get(slug=BOARD)
    secretary = events_for(board)
    other = role_grant(
        username="note-other", role="board_secretary", board_slugs=["coventry-place-executive"]
    ).user
    assert notifications_send(today=TODAY) == 1
    [message] = mail.outbox
    assert message.to == ["secretary@example.org"]
    for text in ("term ends on", "vacant for 30 days", "pack for the meeting", "Write the plan"):
        assert text in message.body
    keys = set(secretary.notifications.values_list("key", flat=True))
    assert {k.split(":")[0] for k in keys} >= {
        "term-ending",
        "vacant",
        "pack-due",
        "action-overdue",
    }
    assert not other.notifications.filter(key__in=keys).exists()
    # The next day: the same events, no new e-mail.
    assert notifications_send(today=TODAY + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
    client.force_login(secretary)
    page = client.get("/me/").content.decode()
    assert "Your notifications" in page and "Write the plan" in page


@pytest.mark.worker
def test_the_daily_job_on_a_real_worker_sends_each_event_once(
    transactional_db, celery_workers, tmp_path, monkeypatch
):
    call_command("load_cw_ics", verbosity=0)
    board = Board.objects.get(slug=BOARD)
    events_for(board, timezone.localdate())
    outbox = tmp_path / "mail"
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(outbox))
    celery_workers.start()
    from governance.tasks import notifications_send_daily

    assert notifications_send_daily.delay().get(timeout=60) == 1
    assert notifications_send_daily.delay().get(timeout=60) == 0
    time.sleep(0.2)
    files = list(outbox.iterdir())
    assert len(files) == 1
    assert "Write the plan" in files[0].read_text()
    assert Notification.objects.filter(emailed=True).count() >= 3
