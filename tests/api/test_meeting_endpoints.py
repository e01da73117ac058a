"""Meetings and their records through the API: filters, who reads private business, writes."""

import datetime as dt

import pytest
from django.utils import timezone

from governance import meetings as services
from governance.models import Action, Meeting
from tests.api.conftest import BOARD_A, BOARD_B
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 6, 10, 13, 0, tzinfo=dt.UTC)


@pytest.fixture
def business(api_as):
    """On board A: a public meeting with a public and a private item, and a private meeting."""
    from governance.models import Board

    secretary = api_as("secretary_a").user
    board = Board.objects.get(slug=BOARD_A)
    seat = MembershipFactory(board=board)
    public = services.meeting_create(actor=secretary, board=board, start=START, title="June")
    private = services.meeting_create(
        actor=secretary, board=board, start=START + dt.timedelta(days=30), is_public=False
    )
    services.agenda_item_create(
        actor=secretary, meeting=public, number=1, title="Open item", purpose="information"
    )
    services.agenda_item_create(
        actor=secretary,
        meeting=public,
        number=2,
        title="Closed item",
        purpose="decision",
        is_public=False,
    )
    services.attendance_record(actor=secretary, meeting=private, membership=seat, status="present")
    return {"public": public, "private": private, "board": board, "seat": seat}


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_meetings_filter_by_board_dates_and_status(api_as, business):
    client = api_as("admin")
    url = "/api/v1/meetings/"
    both = [business["public"].pk, business["private"].pk]
    assert ids(client.get(url, {"board": BOARD_A})) == both
    assert ids(client.get(url, {"board": BOARD_B})) == []
    assert ids(client.get(url, {"from": "2026-07-01"})) == [business["private"].pk]
    assert ids(client.get(url, {"to": "2026-06-10"})) == [business["public"].pk]
    assert ids(client.get(url, {"status": "cancelled"})) == []
    assert client.get(url, {"from": "not a date"}).status_code == 400


def test_private_business_is_hidden_from_other_roles(api_as, business):
    for role in ("commissioner", "analyst", "secretary_b"):
        client = api_as(role)
        assert ids(client.get("/api/v1/meetings/")) == [business["public"].pk]
        titles = [
            r["title"]
            for r in client.get("/api/v1/agenda-items/", {"meeting": business["public"].pk}).json()[
                "results"
            ]
        ]
        assert titles == ["Open item"]
        assert ids(client.get("/api/v1/attendance/")) == []
        assert client.get(f"/api/v1/meetings/{business['private'].pk}/").status_code == 404
    secretary = api_as("secretary_a")
    assert len(ids(secretary.get("/api/v1/agenda-items/"))) == 2
    assert len(ids(secretary.get("/api/v1/attendance/", {"person": business["seat"].person.key})))


def test_a_member_linked_to_their_account_reads_private_business(api_as, business):
    client = api_as("commissioner")
    person = business["seat"].person
    person.user = client.user
    person.save(update_fields=["user"])
    assert business["private"].pk in ids(client.get("/api/v1/meetings/"))


def test_secretary_schedules_and_changes_a_meeting_with_if_match(api_as, business):
    client = api_as("secretary_a")
    response = client.post(
        "/api/v1/meetings/",
        {"board": BOARD_A, "start": "2026-09-09T10:00:00+01:00", "title": "September"},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk, etag = response.json()["id"], response["ETag"]
    assert etag == f'"{pk}.1"'
    url = f"/api/v1/meetings/{pk}/"
    assert client.patch(url, {"status": "postponed"}, format="json").status_code == 428
    ok = client.patch(url, {"status": "postponed"}, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok["ETag"] == f'"{pk}.2"'
    stale = client.patch(url, {"status": "cancelled"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert Meeting.objects.get(pk=pk).status == "postponed"


def test_a_meetings_end_is_patched_after_its_start_only(api_as, business):
    client = api_as("secretary_a")
    pk = business["public"].pk
    url = f"/api/v1/meetings/{pk}/"
    etag = client.get(url)["ETag"]
    early = client.patch(url, {"end": "2026-06-10T12:00:00Z"}, format="json", HTTP_IF_MATCH=etag)
    assert early.status_code == 400
    assert early.json()["end"] == ["The end time must be after the start time."]
    assert Meeting.objects.get(pk=pk).version == 1
    ok = client.patch(url, {"end": "2026-06-10T15:00:00Z"}, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200, ok.content
    assert ok.json()["end"] == "2026-06-10T16:00:00+01:00"
    assert Meeting.objects.get(pk=pk).end == dt.datetime(2026, 6, 10, 15, 0, tzinfo=dt.UTC)


def test_other_roles_cannot_write(api_as, business):
    pk = business["public"].pk
    for role in ("secretary_b", "commissioner", "analyst"):
        client = api_as(role)
        created = client.post(
            "/api/v1/meetings/", {"board": BOARD_A, "start": "2026-09-09T10:00:00Z"}, format="json"
        )
        assert created.status_code == 403
        changed = client.patch(
            f"/api/v1/meetings/{pk}/", {"title": "x"}, format="json", HTTP_IF_MATCH=f'"{pk}.1"'
        )
        assert changed.status_code == 403
    assert Meeting.objects.get(pk=pk).title == "June"


def test_agenda_items_interests_declarations_and_actions_through_the_api(api_as, business):
    client = api_as("secretary_a")
    org = OrganisationFactory()
    meeting = business["public"]
    item = client.post(
        "/api/v1/agenda-items/",
        {
            "meeting": meeting.pk,
            "number": 3,
            "title": "Contract",
            "purpose": "decision",
            "organisations": [org.key],
        },
        format="json",
    )
    assert item.status_code == 201, item.content
    person = business["seat"].person
    interest = client.post(
        "/api/v1/interests/",
        {
            "person": person.key,
            "organisation": org.key,
            "description": "Non-executive director",
            "kind": "financial",
            "declared_on": "2026-01-05",
        },
        format="json",
    )
    assert interest.status_code == 201, interest.content
    found = client.get("/api/v1/interests/", {"organisation": org.key, "active_on": "2026-06-10"})
    assert ids(found) == [interest.json()["id"]]
    declaration = client.post(
        "/api/v1/declarations/",
        {
            "item": item.json()["id"],
            "person": person.key,
            "interest": interest.json()["id"],
            "action": "left_room",
        },
        format="json",
    )
    assert declaration.status_code == 201, declaration.content
    assert ids(client.get("/api/v1/declarations/", {"meeting": meeting.pk})) == [
        declaration.json()["id"]
    ]
    action = client.post(
        "/api/v1/actions/",
        {
            "board": BOARD_A,
            "meeting": meeting.pk,
            "description": "Bring the revised plan",
            "owner": "Place director",
            "due_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        },
        format="json",
    )
    assert action.status_code == 201, action.content
    assert action.json()["overdue"] is True
    assert ids(client.get("/api/v1/actions/", {"board": BOARD_A, "overdue": "true"})) == [
        action.json()["id"]
    ]
    done = client.patch(
        f"/api/v1/actions/{action.json()['id']}/",
        {"status": "done"},
        format="json",
        HTTP_IF_MATCH=action["ETag"],
    )
    assert done.status_code == 200 and done.json()["overdue"] is False
    assert ids(client.get("/api/v1/actions/", {"overdue": "true"})) == []
    assert Action.objects.get().status == "done"


def test_meeting_list_queries_do_not_grow_with_rows(
    api_as, business, django_assert_max_num_queries
):
    client = api_as("admin")
    secretary = api_as("secretary_a").user
    client.get("/api/v1/agenda-items/")
    with django_assert_max_num_queries(8) as small:
        client.get("/api/v1/agenda-items/")
    for n in range(3, 9):
        services.agenda_item_create(
            actor=secretary,
            meeting=business["public"],
            number=n,
            title=f"Item {n}",
            purpose="information",
            organisations=[OrganisationFactory()],
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/api/v1/agenda-items/")


def test_an_interests_end_before_its_start_is_refused_naming_the_field(api_as, business):
    client = api_as("secretary_a")
    interest = services.interest_create(
        actor=client.user,
        person=business["seat"].person,
        description="Trustee",
        kind="non_financial_personal",
        start_date=dt.date(2025, 4, 1),
        declared_on=dt.date(2025, 4, 1),
    )
    url = f"/api/v1/interests/{interest.pk}/"
    refused = client.patch(
        url, {"end_date": "2025-03-31"}, format="json", HTTP_IF_MATCH=f'"{interest.pk}.1"'
    )
    assert refused.status_code == 400
    assert refused.json()["end_date"] == [
        "The end date must be the same as or after the start date (1 April 2025)."
    ]
    interest.refresh_from_db()
    assert interest.end_date is None and interest.version == 1
