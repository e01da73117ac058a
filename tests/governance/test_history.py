"""Every change, through every write path, leaves exactly one history entry; none is editable."""

import datetime as dt
import random

import pytest
from django.urls import reverse

from governance import services
from governance.models import Membership

pytestmark = pytest.mark.django_db

D = dt.date


def _dates(prefix, day):
    if day is None:
        return {f"{prefix}_day": "", f"{prefix}_month": "", f"{prefix}_year": ""}
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def _admin_data(m: Membership, **changes) -> dict:
    data = {
        "person": m.person_id or "",
        "on_behalf_of": m.on_behalf_of_id or "",
        "role": m.role,
        "label": m.label,
        "start_date": m.start_date.isoformat() if m.start_date else "",
        "end_date": m.end_date.isoformat() if m.end_date else "",
        "end_reason": m.end_reason,
        "note": m.note,
        "origin_key": m.origin_key or "",
        "source_document": m.source_document_id or "",
        "source_line": m.source_line or "",
        "also_sources": "[]",
        "expected_version": m.version,
        "_save": "Save",
    }
    if m.voting:
        data["voting"] = "on"
    if m.person_not_named:
        data["person_not_named"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _change_form_data(m: Membership, **changes) -> dict:
    data = {
        "person": m.person_id or "",
        "person_name": "",
        "on_behalf_of": m.on_behalf_of_id or "",
        "role": m.role,
        "voting": "yes" if m.voting else "no",
        "label": m.label,
        "note": m.note,
        "version": m.version,
        **_dates("start_date", m.start_date or D(2024, 4, 1)),
        **_dates("end_date", m.end_date),
    }
    data.update(changes)
    return data


def test_n_random_changes_through_forms_services_and_admin_give_n_history_entries(
    client_as, board_a
):
    rng = random.Random(20250501)
    secretary_client, admin_client = client_as("secretary_a"), client_as("admin")
    secretary, admin = secretary_client.user, admin_client.user
    base = f"/boards/{board_a.slug}/"
    before = Membership.history.filter(board_id=board_a.pk).count()
    by_user = {secretary.pk: 0, admin.pk: 0}

    def seats():
        return list(board_a.memberships.order_by("pk"))

    def service_update():
        m = rng.choice(seats())
        services.membership_update(
            actor=secretary, membership=m, expected_version=m.version, label=f"s{rng.random()}"
        )
        return secretary

    def service_vacancy():
        services.vacancy_record(actor=secretary, board=board_a, start_date=D(2025, 1, 1))
        return secretary

    def form_change():
        m = rng.choice(seats())
        response = secretary_client.post(
            f"{base}members/{m.pk}/change/", _change_form_data(m, note=f"f{rng.random()}")
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        return secretary

    def form_add():
        response = secretary_client.post(
            f"{base}members/add/",
            {
                "person_name": f"Person {rng.random()}",
                "role": "attendee",
                "voting": "no",
                **_dates("start_date", D(2025, 4, 1)),
            },
        )
        assert response.status_code == 302
        return secretary

    def admin_change():
        m = rng.choice(seats())
        url = reverse("admin:governance_membership_change", args=[m.pk])
        response = admin_client.post(url, _admin_data(m, label=f"a{rng.random()}"))
        assert response.status_code == 302, response.content.decode()[:3000]
        return admin

    def admin_add():
        url = reverse("admin:governance_membership_add")
        m = Membership(board=board_a, role="observer", voting=False, start_date=D(2025, 5, 1))
        response = admin_client.post(url, {**_admin_data(m), "board": board_a.pk})
        assert response.status_code == 302, response.content.decode()[:3000]
        return admin

    paths = [service_update, service_vacancy, form_change, form_add, admin_change, admin_add]
    n = 36
    for i in range(n):
        # every path at least once, then at random
        actor = (paths[i] if i < len(paths) else rng.choice(paths))()
        by_user[actor.pk] += 1

    records = Membership.history.filter(board_id=board_a.pk)
    assert records.count() - before == n
    for user_id, count in by_user.items():
        assert records.filter(history_user_id=user_id).count() == count
    # The version of each membership counts its changes.
    for m in board_a.memberships.all():
        assert m.history.count() == m.version


def test_refused_changes_leave_no_history(client_as, board_a):
    secretary_client, admin_client = client_as("secretary_a"), client_as("admin")
    m = board_a.memberships.order_by("pk").first()
    before = Membership.history.count()
    stale = _change_form_data(m, label="stale", version=m.version + 5)
    assert (
        secretary_client.post(f"/boards/{board_a.slug}/members/{m.pk}/change/", stale).status_code
        == 409
    )
    invalid = _change_form_data(
        m, **_dates("end_date", D(2020, 1, 1)), **_dates("start_date", D(2021, 1, 1))
    )
    assert (
        secretary_client.post(f"/boards/{board_a.slug}/members/{m.pk}/change/", invalid).status_code
        == 200
    )
    url = reverse("admin:governance_membership_change", args=[m.pk])
    response = admin_client.post(
        url, _admin_data(m, start_date="2021-01-01", end_date="2020-01-01")
    )
    assert response.status_code == 200
    assert "must be the same as or after the start date" in response.content.decode()
    far = (services.latest_allowed_start() + dt.timedelta(days=2)).isoformat()
    response = admin_client.post(url, _admin_data(m, start_date=far))
    assert "no more than a year from today" in response.content.decode()
    response = admin_client.post(url, _admin_data(m, label="late", expected_version=m.version + 1))
    assert "Someone else changed this membership" in response.content.decode()
    assert Membership.history.count() == before
    m.refresh_from_db()
    assert m.version == 1 and m.label == ""


def test_the_admin_shows_history_but_cannot_revert_or_move_a_membership(
    client_as, board_a, board_b
):
    admin_client = client_as("admin")
    m = board_a.memberships.order_by("pk").first()
    services.membership_update(
        actor=client_as("secretary_a").user, membership=m, expected_version=1, label="Changed"
    )
    history_url = reverse("admin:governance_membership_history", args=[m.pk])
    listing = admin_client.get(history_url)
    assert listing.status_code == 200 and "gov-secretary_a" in listing.content.decode()
    first = m.history.order_by("history_date", "history_id").first()
    version_url = reverse(
        "admin:governance_membership_simple_history", args=[m.pk, first.history_id]
    )
    page = admin_client.get(version_url)
    assert page.status_code == 200 and "Revert" not in page.content.decode()
    rows = Membership.history.count()
    assert admin_client.post(version_url, _admin_data(m, label="")).status_code == 403
    m.refresh_from_db()
    assert m.label == "Changed" and Membership.history.count() == rows
    # The board is read-only on an existing membership: a posted board is ignored.
    url = reverse("admin:governance_membership_change", args=[m.pk])
    data = _admin_data(m, board=board_b.pk, label="Still here")
    assert admin_client.post(url, data).status_code == 302
    m.refresh_from_db()
    assert m.board == board_a and m.label == "Still here"


def test_history_tables_are_not_in_the_admin(client_as):
    from django.contrib import admin

    registered = {model._meta.model_name for model in admin.site._registry}
    assert not any(name.startswith("historical") for name in registered)


def test_the_boards_admin_shows_memberships_read_only(client_as, board_a):
    admin_client = client_as("admin")
    html = admin_client.get(reverse("admin:governance_board_change", args=[board_a.pk])).content
    assert b"Memberships" in html
    assert b'name="memberships-0-role"' not in html


def test_the_history_names_a_seat_whose_person_was_since_deleted(client_as, board_a):
    from governance.models import Person
    from governance.selectors import board_history

    seat = board_a.memberships.order_by("pk").first()
    person = Person.objects.create(key="test-gone", name="Gone Person", system=board_a.system)
    Membership.objects.filter(pk=seat.pk).update(person=person)
    seat.refresh_from_db()
    seat._change_reason = "to someone later removed"
    seat.save()
    Membership.objects.filter(pk=seat.pk).update(person=None, person_not_named=True)
    Person.objects.filter(pk=person.pk).delete()
    entries = board_history(board_a)
    assert any("a person since removed" in e.subject for e in entries)
    assert client_as("commissioner").get(f"/boards/{board_a.slug}/").status_code == 200
