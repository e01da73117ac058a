"""Every governance page × every role × GET and POST: no unexpected success, nothing written.

Reading needs a signed-in user with a portal role; changing a board's membership needs to be
one of that board's secretaries, or an admin (who holds every secretary power). Refused
requests must leave every membership, person and history row as it was.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from governance import services
from governance.models import Membership, Person

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_role", "commissioner", "secretary_a", "secretary_b", "analyst", "admin"]
READ_PAGES = ["/boards/", "{a}", "{a}as-at/?date=2025-01-01", "{a}changes/", "/me/"]
EDIT_PAGES = ["add", "change", "end", "vacancy", "fill"]


def _dates(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def _edit_request(board, seat, vacancy, page) -> tuple[str, dict]:
    base = f"/boards/{board.slug}/"
    seat_data = {"role": "member", "voting": "yes", "label": "written", "note": ""}
    if page == "add":
        return base + "members/add/", {
            **seat_data,
            "person_name": "Matrix Person",
            **_dates("start_date", dt.date(2025, 4, 1)),
        }
    if page == "change":
        return base + f"members/{seat.pk}/change/", {
            **seat_data,
            "on_behalf_of": seat.on_behalf_of_id or "",
            "version": seat.version,
            **_dates("start_date", dt.date(2024, 4, 1)),
        }
    if page == "end":
        return base + f"members/{seat.pk}/end/", {
            "version": seat.version,
            "end_reason": "resigned",
            **_dates("end_date", dt.date(2025, 4, 1)),
        }
    if page == "vacancy":
        return base + "vacancies/add/", {**seat_data, **_dates("start_date", dt.date(2025, 4, 1))}
    return base + f"vacancies/{vacancy.pk}/fill/", {
        "version": vacancy.version,
        "person_name": "Matrix Person",
        **_dates("start_date", dt.date(2025, 4, 1)),
    }


def _client(name, client_as) -> Client:
    if name == "no_role":
        user = get_user_model().objects.create(username="gov-no-role")
        client = Client()
        client.force_login(user)
        return client
    return client_as(name)


def _state() -> tuple:
    return (
        sorted(Membership.objects.values_list(*[f.attname for f in Membership._meta.fields])),
        Person.objects.count(),
        Membership.history.count(),
    )


def _refused(response) -> bool:
    if response.status_code == 302:
        return response["Location"].startswith("/accounts/login/")
    return response.status_code in (403, 404, 405)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", READ_PAGES)
def test_read_pages(client_as, board_a, role, page):
    client = _client(role, client_as)
    url = page.format(a=f"/boards/{board_a.slug}/")
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    elif role == "no_role":
        assert response.status_code == 403
    else:
        assert response.status_code == 200
    before = _state()
    posted = client.post(url, {"label": "x"})
    # /me/ takes one form (its API token's); anything else sent there is a 400.
    assert _refused(posted) or (page == "/me/" and posted.status_code == 400)
    assert _state() == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", EDIT_PAGES)
@pytest.mark.parametrize("which", ["a", "b"])
def test_edit_pages(client_as, user_as, board_a, board_b, role, page, which):
    board = board_a if which == "a" else board_b
    secretary = user_as(f"secretary_{which}")
    seat = board.memberships.order_by("pk").first()
    vacancy = services.vacancy_record(actor=secretary, board=board, start_date=dt.date(2025, 1, 1))
    url, data = _edit_request(board, seat, vacancy, page)
    client = _client(role, client_as)
    allowed = role in (f"secretary_{which}", "admin")

    get = client.get(url)
    before = _state()
    post = client.post(url, data)
    if allowed:
        assert get.status_code == 200
        assert post.status_code == 302 and post["Location"] == f"/boards/{board.slug}/#members"
        assert _state() != before
    else:
        assert _refused(get), get.status_code
        assert _refused(post), post.status_code
        if role != "anonymous":
            assert get.status_code == post.status_code == 403
        assert _state() == before


def test_a_secretary_cannot_reach_another_boards_rows_through_their_own_board(
    client_as, board_a, board_b, user_as
):
    client = client_as("secretary_a")
    other_vacancy = services.vacancy_record(
        actor=user_as("secretary_b"), board=board_b, start_date=dt.date(2025, 1, 1)
    )
    seat = board_b.memberships.order_by("pk").first()
    before = _state()
    for page in ("change", "end", "fill"):
        url, data = _edit_request(board_b, seat, other_vacancy, page)
        guessed = url.replace(board_b.slug, board_a.slug)
        assert client.get(guessed).status_code == 404
        assert client.post(guessed, data).status_code == 404
    assert _state() == before


def test_every_form_needs_a_csrf_token(client_as, board_a, user_as):
    client = client_as("secretary_a")
    client.handler.enforce_csrf_checks = True
    seat = board_a.memberships.order_by("pk").first()
    vacancy = services.vacancy_record(
        actor=user_as("secretary_a"), board=board_a, start_date=dt.date(2025, 1, 1)
    )
    before = _state()
    for page in EDIT_PAGES:
        url, data = _edit_request(board_a, seat, vacancy, page)
        assert 'name="csrfmiddlewaretoken"' in client.get(url).content.decode()
        assert client.post(url, data).status_code == 403
    assert _state() == before
