"""Board secretaries write their boards' memberships through the API, with no lost updates."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.test import Client

from governance.models import Membership
from tests.api.conftest import BOARD_A, BOARD_B

pytestmark = pytest.mark.django_db


def seat(board=BOARD_A):
    return Membership.objects.filter(board__slug=board).order_by("pk").first()


def read(client, membership):
    response = client.get(f"/api/v1/memberships/{membership.pk}/")
    assert response.status_code == 200
    return response["ETag"]


def test_secretary_adds_a_member_to_their_board(api_as):
    client = api_as("secretary_a")
    response = client.post(
        "/api/v1/memberships/",
        {
            "board": BOARD_A,
            "person_name": "Dr Jane Example",
            "on_behalf_of": "org_geh",
            "role": "member",
            "start_date": "2026-04-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person"]["name"] == "Dr Jane Example" and body["version"] == 1
    assert response["ETag"] == f'"{body["id"]}.1"'


def test_secretary_cannot_add_to_another_board(api_as):
    before = Membership.objects.count()
    response = api_as("secretary_b").post(
        "/api/v1/memberships/",
        {
            "board": BOARD_A,
            "person_name": "Someone",
            "role": "member",
            "start_date": "2026-04-01",
        },
        format="json",
    )
    assert response.status_code == 403
    assert Membership.objects.count() == before


def test_patch_needs_if_match(api_as):
    client = api_as("secretary_a")
    m = seat()
    assert (
        client.patch(f"/api/v1/memberships/{m.pk}/", {"label": "x"}, format="json").status_code
        == 428
    )


def test_patch_with_the_current_etag_changes_and_a_stale_one_is_412(api_as):
    client = api_as("secretary_a")
    m = seat()
    tag = read(client, m)
    ok = client.patch(
        f"/api/v1/memberships/{m.pk}/",
        {"label": "Chief executive"},
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["label"] == "Chief executive"
    assert ok["ETag"] != tag
    stale = client.patch(
        f"/api/v1/memberships/{m.pk}/", {"label": "Other"}, format="json", HTTP_IF_MATCH=tag
    )
    assert stale.status_code == 412
    m.refresh_from_db()
    assert m.label == "Chief executive"


def test_a_membership_cannot_move_to_another_board(api_as):
    client = api_as("secretary_a")
    m = seat()
    response = client.patch(
        f"/api/v1/memberships/{m.pk}/",
        {"board": BOARD_B},
        format="json",
        HTTP_IF_MATCH=read(client, m),
    )
    assert response.status_code == 400
    m.refresh_from_db()
    assert m.board.slug == BOARD_A


def test_other_boards_secretary_gets_403_and_nothing_changes(api_as):
    owner, other = api_as("secretary_a"), api_as("secretary_b")
    m = seat()
    tag = read(owner, m)
    response = other.patch(
        f"/api/v1/memberships/{m.pk}/", {"label": "hijacked"}, format="json", HTTP_IF_MATCH=tag
    )
    assert response.status_code == 403
    m.refresh_from_db()
    assert m.label != "hijacked"


def test_end_a_membership(api_as):
    client = api_as("secretary_a")
    m = seat()
    response = client.post(
        f"/api/v1/memberships/{m.pk}/end/",
        {"end_date": "2026-06-30", "end_reason": "resigned"},
        format="json",
        HTTP_IF_MATCH=read(client, m),
    )
    assert response.status_code == 200, response.content
    m.refresh_from_db()
    assert m.end_date == dt.date(2026, 6, 30) and m.end_reason == "resigned"


def test_validation_errors_are_400_with_the_field(api_as):
    client = api_as("secretary_a")
    m = seat()
    response = client.patch(
        f"/api/v1/memberships/{m.pk}/",
        {"start_date": "2026-05-01", "end_date": "2026-04-01", "end_reason": "resigned"},
        format="json",
        HTTP_IF_MATCH=read(client, m),
    )
    assert response.status_code == 400
    assert "end_date" in response.json() or "__all__" in response.json()


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_racing_never_lose_an_update(django_db_blocker):
    """20 threads × 50 conditional updates of one membership: successes = version increase =
    history rows; every other answer 412; no 5xx."""
    from django.core.management import call_command

    from governance.services import role_grant
    from icsportal.api.tokens import token_issue

    call_command("load_cw_ics", verbosity=0)
    user = role_grant(username="racer", role="board_secretary", board_slugs=[BOARD_A]).user
    key = token_issue(user=user).key
    m = seat()
    start_version = m.version
    start_history = m.history.count()
    statuses: Counter = Counter()
    lock = threading.Lock()

    def worker(n):
        client = Client(HTTP_AUTHORIZATION=f"Token {key}")
        for i in range(50):
            tag = client.get(f"/api/v1/memberships/{m.pk}/")["ETag"]
            response = client.patch(
                f"/api/v1/memberships/{m.pk}/",
                {"label": f"thread {n} try {i}"},
                content_type="application/json",
                HTTP_IF_MATCH=tag,
            )
            with lock:
                statuses[response.status_code] += 1
        from django.db import connection

        connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    m.refresh_from_db()
    successes = statuses[200]
    assert set(statuses) <= {200, 412}, statuses
    assert sum(statuses.values()) == 1000
    assert successes > 0
    assert m.version - start_version == successes
    assert m.history.count() - start_history == successes
    print(f"race: {successes} updates succeeded, {statuses[412]} answered 412")


@pytest.mark.parametrize("path", ["/api/v1/memberships/{}/", "/api/v1/memberships/{}/end/"])
def test_a_membership_id_that_is_not_a_number_is_404_not_500(api_as, path):
    client = api_as("secretary_a")
    client.raise_request_exception = False
    send = client.patch if path.endswith("}/") else client.post
    response = send(path.format("\U0008a8e6"), {}, format="json", HTTP_IF_MATCH='"1.1"')
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
