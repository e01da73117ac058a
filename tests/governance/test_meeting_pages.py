"""Meeting pages, a secretary's meeting forms, the board page's meetings and the iCalendar feed."""

import datetime as dt
import zoneinfo

import pytest
from django.test import Client

from governance import meetings as services
from governance.ical import calendar, escape, fold
from governance.models import Meeting, Membership
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def seats(board_a):
    return [MembershipFactory(board=board_a) for _ in range(3)]


@pytest.fixture
def meeting(user_as, board_a, seats):
    return services.meeting_create(
        actor=user_as("secretary_a"),
        board=board_a,
        start=dt.datetime(2030, 6, 10, 14, 0, tzinfo=LONDON),
        title="June meeting",
        location="Nuneaton, Town Hall; Room 2",
    )


def date_parts(name, day):
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def test_secretary_schedules_a_meeting_from_the_board_page(client_as, board_a):
    client = client_as("secretary_a")
    page = client.get(board_a.get_absolute_url())
    assert 'id="meetings"' in page.content.decode()
    response = client.post(
        f"/boards/{board_a.slug}/meetings/add/",
        {
            "title": "September meeting",
            **date_parts("day", dt.date(2030, 9, 9)),
            "time": "10:30",
            "location": "Online",
            "link": "",
            "is_public": "yes",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get(title="September meeting")
    assert meeting.start == dt.datetime(2030, 9, 9, 10, 30, tzinfo=LONDON)
    assert "September meeting" in client.get(board_a.get_absolute_url()).content.decode()


def meeting_form(**extra) -> dict:
    return {
        "title": "Workshop",
        **date_parts("day", dt.date(2030, 9, 9)),
        "time": "10:00",
        "location": "Online",
        "link": "",
        "is_public": "yes",
        **extra,
    }


def test_a_meeting_scheduled_with_an_end_time_shows_it(client_as, board_a):
    client = client_as("secretary_a")
    url = f"/boards/{board_a.slug}/meetings/add/"
    assert 'name="end"' in client.get(url).content.decode()
    response = client.post(url, meeting_form(end="12:00"))
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get(title="Workshop")
    assert meeting.end == dt.datetime(2030, 9, 9, 12, 0, tzinfo=LONDON)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Monday 9 September 2030, 10:00 to 12:00</h1>" in page


def test_an_end_time_before_the_start_is_refused_naming_the_field(client_as, board_a):
    response = client_as("secretary_a").post(
        f"/boards/{board_a.slug}/meetings/add/", meeting_form(end="09:30")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_end">The end time must be after the start time.</a>' in html
    assert 'id="id_end-error"' in html
    assert not Meeting.objects.filter(title="Workshop").exists()


def test_secretary_gives_a_meeting_an_end_time_and_a_stale_form_writes_nothing(
    client_as, board_a, meeting
):
    url = f"/boards/{board_a.slug}/meetings/{meeting.pk}/change/"
    first, second = client_as("secretary_a"), client_as("admin")
    assert url in first.get(meeting.get_absolute_url()).content.decode()
    form = first.get(url).content.decode()
    assert 'name="time" type="text" value="14:00"' in form
    assert 'name="version" value="1"' in form
    data = meeting_form(**date_parts("day", dt.date(2030, 6, 10)), time="14:00", version=1)
    response = first.post(url, {**data, "end": "16:00"})
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting.refresh_from_db()
    assert meeting.end == dt.datetime(2030, 6, 10, 16, 0, tzinfo=LONDON)
    assert meeting.title == "Workshop" and meeting.version == 2
    assert meeting.history.first().history_change_reason == "Meeting changed"
    stale = second.post(url, {**data, "end": "17:00", "title": "Second"})
    assert stale.status_code == 200
    assert "Someone else changed this meeting" in stale.content.decode()
    meeting.refresh_from_db()
    assert meeting.end == dt.datetime(2030, 6, 10, 16, 0, tzinfo=LONDON)
    assert meeting.title == "Workshop" and meeting.version == 2


def test_others_may_not_use_the_meeting_forms(client_as, board_a, meeting):
    for name in ("commissioner", "analyst", "secretary_b"):
        client = client_as(name)
        assert client.get(f"/boards/{board_a.slug}/meetings/add/").status_code == 403
        change = f"/boards/{board_a.slug}/meetings/{meeting.pk}/change/"
        assert client.get(change).status_code == 403
        assert client.post(change, meeting_form(end="16:00", version=1)).status_code == 403
        url = f"/boards/{board_a.slug}/meetings/{meeting.pk}/items/add/"
        assert client.get(url).status_code == 403
    meeting.refresh_from_db()
    assert meeting.end is None and meeting.version == 1


def test_meeting_page_shows_agenda_quorum_conflicts_and_actions(
    client_as, user_as, board_a, meeting, seats
):
    secretary = user_as("secretary_a")
    board_a.quorum = 2
    board_a.save(update_fields=["quorum"])
    org = OrganisationFactory(name="Acme Health Ltd")
    services.interest_create(
        actor=secretary,
        person=seats[0].person,
        organisation=org,
        description="Shareholder",
        kind="financial",
        declared_on=dt.date(2030, 1, 1),
    )
    client = client_as("secretary_a")
    response = client.post(
        f"/boards/{board_a.slug}/meetings/{meeting.pk}/items/add/",
        {
            "number": 1,
            "title": "Community contract",
            "purpose": "decision",
            "presenter": "",
            "organisations": [org.pk],
            "is_public": "yes",
        },
    )
    assert response.status_code == 302
    attendance = {f"seat_{s.pk}": "present" for s in seats[:2]}
    attendance[f"seat_{seats[2].pk}"] = "deputy"
    response = client.post(f"/boards/{board_a.slug}/meetings/{meeting.pk}/attendance/", attendance)
    assert response.status_code == 200 and "Name the deputy" in response.content.decode()
    attendance[f"deputy_{seats[2].pk}"] = "Dr Deputy"
    response = client.post(f"/boards/{board_a.slug}/meetings/{meeting.pk}/attendance/", attendance)
    assert response.status_code == 302
    page = client.get(meeting.get_absolute_url()).content.decode()
    held = Membership.objects.active_on(dt.date(2030, 6, 10)).filter(board=board_a, voting=True)
    held = held.exclude(person__isnull=True, person_not_named=False).count()
    assert f"quorate: 3 of {held} voting members, quorum 2" in page
    assert "Possible conflicts of interest" in page
    assert "financial interest in Acme Health Ltd" in page
    assert "Dr Deputy" in page
    # A commissioner sees the public agenda but not the prompts, which name members' interests
    # as the secretary's view does.
    public_page = client_as("commissioner").get(meeting.get_absolute_url()).content.decode()
    assert "Community contract" in public_page and "Possible conflicts" not in public_page


def test_agenda_item_form_takes_several_organisations(client_as, board_a, meeting):
    first = OrganisationFactory(name="Acme Health Ltd")
    second = OrganisationFactory(name="Borough Care CIC")
    client = client_as("secretary_a")
    url = f"/boards/{board_a.slug}/meetings/{meeting.pk}/items/add/"
    form = client.get(url).content.decode()
    assert 'type="checkbox"' in form and 'name="organisations"' in form
    response = client.post(
        url,
        {
            "number": 1,
            "title": "Joint contract",
            "purpose": "decision",
            "presenter": "",
            "organisations": [first.pk, second.pk],
            "is_public": "yes",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = meeting.items.get(title="Joint contract")
    assert set(item.organisations.all()) == {first, second}
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "concerns Acme Health Ltd, Borough Care CIC" in page


def test_private_meeting_is_not_found_for_other_roles(client_as, user_as, board_a, seats):
    private = services.meeting_create(
        actor=user_as("secretary_a"),
        board=board_a,
        start=dt.datetime(2030, 7, 1, 9, 0, tzinfo=LONDON),
        is_public=False,
    )
    assert client_as("commissioner").get(private.get_absolute_url()).status_code == 404
    assert client_as("secretary_a").get(private.get_absolute_url()).status_code == 200
    assert client_as("admin").get(private.get_absolute_url()).status_code == 200


def test_ical_escapes_and_folds():
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "é" * 60
    folded = fold(line)
    for part in folded.split("\r\n"):
        assert len(part.encode()) <= 75
    assert folded.replace("\r\n ", "") == line


def test_feed_lists_visible_meetings_in_utc(client_as, meeting, board_a):
    response = client_as("commissioner").get(f"/boards/{board_a.slug}/meetings.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20300610T130000Z\r\n" in body  # 14:00 British Summer Time
    assert "DTEND" not in body  # no end time given: none invented
    assert "LOCATION:Nuneaton\\, Town Hall\\; Room 2\r\n" in body
    assert f"UID:meeting-{meeting.pk}@" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_feed_gives_the_end_time_when_there_is_one(client_as, user_as, meeting, board_a):
    services.meeting_update(
        actor=user_as("secretary_a"),
        meeting=meeting.pk,
        expected_version=1,
        end=dt.datetime(2030, 6, 10, 16, 30, tzinfo=LONDON),
    )
    body = client_as("commissioner").get(f"/boards/{board_a.slug}/meetings.ics").content.decode()
    assert "DTSTART:20300610T130000Z\r\nDTEND:20300610T153000Z\r\n" in body


def test_private_calendar_link_works_without_signing_in_until_revoked(client_as, board_a, meeting):
    client = client_as("commissioner")
    client.post(f"/boards/{board_a.slug}/calendar-link/")
    page = client.get(board_a.get_absolute_url()).content.decode()
    key = client.user.calendar_token.key
    url = f"/boards/{board_a.slug}/meetings-{key}.ics"
    assert url in page
    assert "June meeting" in Client().get(url).content.decode()
    client.post(f"/boards/{board_a.slug}/calendar-link/", {"revoke": "1"})
    assert Client().get(url).status_code == 404
    assert Client().get(f"/boards/{board_a.slug}/meetings.ics").status_code == 302


def test_calendar_of_a_private_meeting_is_hidden_from_others(user_as, board_a, meeting):
    private = services.meeting_create(
        actor=user_as("secretary_a"),
        board=board_a,
        start=dt.datetime(2030, 7, 1, 9, 0, tzinfo=LONDON),
        title="Closed session",
        is_public=False,
    )
    body = calendar([meeting, private], name="Board", host="example.org")
    assert "CLASS:PRIVATE" in body


def test_board_page_lists_overdue_actions(client_as, user_as, board_a, meeting):
    services.action_create(
        actor=user_as("secretary_a"),
        board=board_a,
        description="Publish the winter plan",
        owner="Director",
        due_date=dt.date(2020, 1, 1),
    )
    page = client_as("commissioner").get(board_a.get_absolute_url()).content.decode()
    assert "Publish the winter plan" in page


def test_papers_are_uploaded_and_read_only_by_those_who_may(
    client_as, user_as, board_a, meeting, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    secretary = user_as("secretary_a")
    public = services.agenda_item_create(
        actor=secretary, meeting=meeting, number=1, title="Open", purpose="information"
    )
    private = services.agenda_item_create(
        actor=secretary,
        meeting=meeting,
        number=2,
        title="Closed",
        purpose="decision",
        is_public=False,
    )
    client = client_as("secretary_a")
    for item in (public, private):
        response = client.post(
            f"/boards/{board_a.slug}/meetings/{meeting.pk}/items/{item.pk}/papers/add/",
            {
                "title": f"{item.title} paper",
                "file": SimpleUploadedFile("paper.pdf", b"%PDF-1.4 test", "application/pdf"),
                "url": "",
            },
        )
        assert response.status_code == 302, response.content.decode()[:1500]
    open_paper, closed_paper = public.papers.get(), private.papers.get()
    assert open_paper.size == len(b"%PDF-1.4 test")
    assert open_paper.content_type == "application/pdf"
    commissioner = client_as("commissioner")
    got = commissioner.get(open_paper.get_absolute_url())
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.4 test"
    assert commissioner.get(closed_paper.get_absolute_url()).status_code == 404
    assert client.get(closed_paper.get_absolute_url()).status_code == 200
    # The paper's own address under another meeting finds nothing.
    wrong = closed_paper.get_absolute_url().replace(f"/{meeting.pk}/", "/0/")
    assert client.get(wrong).status_code == 404
