"""A secretary maintains a board's membership end to end through the forms."""

import datetime as dt

import pytest
from django.utils import timezone

from governance import services
from governance.models import Membership, Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

D = dt.date


def _base(board) -> str:
    return f"/boards/{board.slug}/"


def _add(client, board, date_fields, **data):
    post = {
        "person": "",
        "person_name": "",
        "on_behalf_of": "",
        "role": "member",
        "voting": "yes",
        "label": "",
        "note": "",
        **date_fields("start_date", data.pop("start_date", D(2025, 4, 1))),
        **date_fields("end_date", data.pop("end_date", None)),
        **data,
    }
    return client.post(_base(board) + "members/add/", post)


def test_add_a_new_person_by_name_and_see_them_on_the_board(
    secretary_a_client, board_a, date_fields
):
    org = board_a.required_organisations.get(name="Warwickshire County Council")
    response = _add(
        secretary_a_client,
        board_a,
        date_fields,
        person_name="Grace Hopper",
        on_behalf_of=org.pk,
        role="vice_chair",
        start_date=timezone.localdate(),
    )
    assert response.status_code == 302 and response["Location"].endswith("#members")
    m = Membership.objects.get(person__name="Grace Hopper")
    assert (m.board, m.on_behalf_of, m.role, m.voting) == (board_a, org, "vice_chair", True)
    assert m.person.key == "grace-hopper"
    page = secretary_a_client.get(_base(board_a)).content.decode()
    assert "Grace Hopper" in page and "Added Grace Hopper to the board." in page


def test_add_an_existing_person(secretary_a_client, board_a, date_fields):
    person = PersonFactory(name="Alan Turing")
    assert _add(secretary_a_client, board_a, date_fields, person=person.pk).status_code == 302
    assert board_a.memberships.filter(person=person).exists()


def _error_for(html: str, anchor: str, text: str) -> None:
    assert "There is a problem" in html
    assert f'href="#{anchor}"' in html, anchor
    assert text in html
    assert "nhsuk-error-message" in html


@pytest.mark.parametrize(
    ("data", "anchor", "text"),
    [
        (
            {"person_name": "X Y", "start_date": D(2025, 5, 1), "end_date": D(2025, 4, 30)},
            "id_end_date_day",
            "must be the same as or after the start date",
        ),
        ({}, "id_person", "Choose a person or type a new name"),
        ({"person_name": "X Y", "start_date": None}, "id_start_date_day", "Enter the start date"),
        ({"person_name": "X Y", "role": ""}, "id_role", "Select a role"),
        ({"person_name": "X Y", "voting": ""}, "id_voting_0", "Select whether they have a vote"),
    ],
)
def test_form_errors_sit_next_to_their_fields_with_a_summary(
    secretary_a_client, board_a, date_fields, data, anchor, text
):
    before = Membership.objects.count()
    response = _add(secretary_a_client, board_a, date_fields, **data)
    assert response.status_code == 200
    _error_for(response.content.decode(), anchor, text)
    assert Membership.objects.count() == before
    assert not Person.objects.filter(name="X Y").exists()


def test_a_date_that_is_not_real_is_refused(secretary_a_client, board_a, date_fields):
    response = _add(
        secretary_a_client,
        board_a,
        date_fields,
        person_name="X Y",
        start_date_day="31",
        start_date_month="2",
        start_date_year="2025",
    )
    _error_for(response.content.decode(), "id_start_date_day", "Start date must be a real date")


def test_a_start_more_than_a_year_ahead_is_shown_on_the_start_date(
    secretary_a_client, board_a, date_fields
):
    far = services.latest_allowed_start() + dt.timedelta(days=1)
    response = _add(secretary_a_client, board_a, date_fields, person_name="X Y", start_date=far)
    _error_for(response.content.decode(), "id_start_date_day", "no more than a year from today")


def test_a_second_chair_is_shown_on_the_role(secretary_a_client, secretary_a, board_a, date_fields):
    services.membership_create(
        actor=secretary_a,
        board=board_a,
        person_name="Chair One",
        role="chair",
        start_date=D(2024, 1, 1),
    )
    response = _add(secretary_a_client, board_a, date_fields, person_name="X Y", role="chair")
    _error_for(response.content.decode(), "id_role", "co-chair")
    assert (
        _add(
            secretary_a_client, board_a, date_fields, person_name="Co Chair", role="co_chair"
        ).status_code
        == 302
    )


def test_the_same_person_twice_is_shown_on_the_person(
    secretary_a_client, secretary_a, board_a, date_fields
):
    person = PersonFactory()
    services.membership_create(
        actor=secretary_a, board=board_a, person=person, role="member", start_date=D(2024, 1, 1)
    )
    response = _add(secretary_a_client, board_a, date_fields, person=person.pk)
    _error_for(response.content.decode(), "id_person", "already sits on this board")


def test_both_a_person_and_a_new_name_is_refused(secretary_a_client, board_a, date_fields):
    person = PersonFactory()
    response = _add(secretary_a_client, board_a, date_fields, person=person.pk, person_name="Z")
    _error_for(response.content.decode(), "id_person_name", "not both")


def _change_data(m, date_fields, **data):
    return {
        "person": m.person_id or "",
        "person_name": "",
        "on_behalf_of": m.on_behalf_of_id or "",
        "role": m.role,
        "voting": "yes" if m.voting else "no",
        "label": m.label,
        "note": m.note,
        "version": m.version,
        **date_fields("start_date", data.pop("start_date", m.start_date or D(2024, 4, 1))),
        **date_fields("end_date", data.pop("end_date", m.end_date)),
        **data,
    }


def test_change_a_membership_shows_its_values_and_saves(secretary_a_client, board_a, date_fields):
    seat = board_a.memberships.get(on_behalf_of__name="Primary Care")
    url = f"{_base(board_a)}members/{seat.pk}/change/"
    form = secretary_a_client.get(url).content.decode()
    assert 'name="version" value="1"' in form and 'value="member" selected' in form
    response = secretary_a_client.post(url, _change_data(seat, date_fields, role="vice_chair"))
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.role == "vice_chair" and seat.version == 2


def test_a_stale_change_shows_the_conflict_page_and_writes_nothing(client_as, board_a, date_fields):
    seat = board_a.memberships.get(on_behalf_of__name="Primary Care")
    url = f"{_base(board_a)}members/{seat.pk}/change/"
    first, second = client_as("secretary_a"), client_as("secretary_a")
    mine = _change_data(seat, date_fields, label="First secretary's label")
    theirs = _change_data(seat, date_fields, label="Second secretary's label", role="observer")
    assert first.post(url, mine).status_code == 302
    response = second.post(url, theirs)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this membership" in html
    assert "First secretary&#x27;s label" in html and "Second secretary&#x27;s label" in html
    assert "Your change was not saved" in html
    seat.refresh_from_db()
    assert seat.label == "First secretary's label" and seat.role == "member"
    assert seat.version == 2 and seat.history.count() == 2


def test_a_board_in_the_posted_form_is_ignored(secretary_a_client, board_a, board_b, date_fields):
    seat = board_a.memberships.get(on_behalf_of__name="Primary Care")
    url = f"{_base(board_a)}members/{seat.pk}/change/"
    data = _change_data(seat, date_fields, label="moved?", board=board_b.pk, board_id=board_b.pk)
    assert secretary_a_client.post(url, data).status_code == 302
    seat.refresh_from_db()
    assert seat.board == board_a and seat.label == "moved?"


def test_end_a_membership_with_a_date_and_a_reason(secretary_a_client, board_a, date_fields):
    seat = board_a.memberships.get(on_behalf_of__name="Primary Care")
    url = f"{_base(board_a)}members/{seat.pk}/end/"
    assert "Why does the membership end?" in secretary_a_client.get(url).content.decode()
    response = secretary_a_client.post(url, {"version": 1, **date_fields("end_date", None)})
    html = response.content.decode()
    _error_for(html, "id_end_date_day", "Enter the end date")
    assert 'href="#id_end_reason_0"' in html
    response = secretary_a_client.post(
        url, {"version": 1, "end_reason": "resigned", **date_fields("end_date", D(2025, 6, 30))}
    )
    assert response.status_code == 302
    seat.refresh_from_db()
    assert (seat.end_date, seat.end_reason) == (D(2025, 6, 30), "resigned")


def test_record_a_vacancy_and_fill_it(secretary_a_client, board_a, date_fields):
    response = secretary_a_client.post(
        f"{_base(board_a)}vacancies/add/",
        {
            "on_behalf_of": "",
            "role": "member",
            "voting": "yes",
            "label": "Voluntary sector seat",
            "note": "",
            **date_fields("start_date", D(2025, 1, 1)),
        },
    )
    assert response.status_code == 302
    vacancy = board_a.memberships.get(label="Voluntary sector seat")
    assert vacancy.is_vacant
    url = f"{_base(board_a)}vacancies/{vacancy.pk}/fill/"
    assert "Fill a vacancy" in secretary_a_client.get(url).content.decode()
    response = secretary_a_client.post(
        url,
        {
            "version": 1,
            "person": "",
            "person_name": "Rosa Parks",
            **date_fields("start_date", D(2025, 2, 1)),
        },
    )
    assert response.status_code == 302
    filled = board_a.memberships.get(person__name="Rosa Parks")
    assert filled.label == "Voluntary sector seat" and filled.start_date == D(2025, 2, 1)
    vacancy.refresh_from_db()
    assert vacancy.end_date == D(2025, 1, 31)
    # A seat that is not vacant has no fill form.
    assert secretary_a_client.get(f"{_base(board_a)}vacancies/{filled.pk}/fill/").status_code == 404


def test_a_membership_of_another_board_is_not_found_under_this_board(
    secretary_a_client, board_a, board_b, date_fields
):
    other = board_b.memberships.order_by("pk").first()
    for action in ("change", "end"):
        url = f"{_base(board_a)}members/{other.pk}/{action}/"
        assert secretary_a_client.get(url).status_code == 404
        data = {"version": 1, "end_reason": "resigned", **date_fields("end_date", D(2025, 1, 1))}
        assert secretary_a_client.post(url, data).status_code == 404
    other.refresh_from_db()
    assert other.version == 1 and other.end_date is None
