"""Issue #19, board secretaries: seats from the documents, "what changed", messages, choices."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from governance import services
from governance.models import Membership
from tests.factories import BoardFactory, MembershipFactory, PersonFactory, SystemFactory

pytestmark = pytest.mark.django_db


def _loaded_seat(board) -> Membership:
    """A seat loaded from the documents: organisation named, person not, no start date."""
    return (
        Membership.objects.filter(
            board=board, start_date__isnull=True, person_not_named=True, on_behalf_of__isnull=False
        )
        .select_related("on_behalf_of")
        .order_by("pk")
        .first()
    )


def _update_post(m: Membership, date_fields, **data) -> dict:
    return {
        "person": "",
        "person_name": "",
        "on_behalf_of": m.on_behalf_of_id or "",
        "role": m.role,
        "voting": "yes" if m.voting else "no",
        "label": m.label,
        "note": m.note,
        "version": m.version,
        **date_fields("start_date", None),
        **date_fields("end_date", None),
        **data,
    }


def test_every_loaded_seat_has_no_start_date_yet_can_be_changed(
    secretary_a_client, board_a, date_fields
):
    assert not Membership.objects.filter(origin_key__isnull=False, start_date__isnull=False)
    seat = _loaded_seat(board_a)
    url = f"/boards/{board_a.slug}/members/{seat.pk}/change/"
    form = secretary_a_client.get(url).content.decode()
    assert "Not stated in the source" in form
    response = secretary_a_client.post(url, _update_post(seat, date_fields, role="vice_chair"))
    assert response.status_code == 302, response.content.decode()[:3000]
    seat.refresh_from_db()
    assert (seat.role, seat.start_date) == ("vice_chair", None)
    page = secretary_a_client.get(board_a.get_absolute_url()).content.decode()
    assert "Not stated in the source" in page


def test_a_known_start_date_cannot_be_removed(secretary_a, board_a):
    m = services.membership_create(
        actor=secretary_a, board=board_a, person_name="Kept Date", start_date=dt.date(2025, 4, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.membership_update(
            actor=secretary_a, membership=m, expected_version=1, start_date=None
        )
    assert "start_date" in error.value.message_dict


def test_what_changed_shows_a_member_just_added_by_date_recorded(
    secretary_a_client, board_a, date_fields
):
    # A start date in the past, beyond the default 90 days: entered today all the same.
    post = {
        "person": "",
        "person_name": "Rosalind Franklin",
        "on_behalf_of": "",
        "role": "member",
        "voting": "yes",
        "label": "",
        "note": "",
        **date_fields("start_date", dt.date(2023, 4, 1)),
        **date_fields("end_date", None),
    }
    assert secretary_a_client.post(f"/boards/{board_a.slug}/members/add/", post).status_code == 302
    page = secretary_a_client.get(f"/boards/{board_a.slug}/changes/").content.decode()
    added = page[page.index("<h2>Added</h2>") : page.index("<h2>Ended</h2>")]
    assert "Rosalind Franklin" in added
    assert "By date recorded" in page and "By term dates" in page
    by_terms = secretary_a_client.get(f"/boards/{board_a.slug}/changes/", {"by": "terms"})
    terms = by_terms.content.decode()
    assert "Rosalind Franklin" not in terms[terms.index("<h2>Added</h2>") :]


def test_what_changed_by_date_recorded_lists_ends_and_other_changes(secretary_a, board_a):
    from governance.selectors import board_changes_between

    seat = _loaded_seat(board_a)
    services.membership_update(
        actor=secretary_a, membership=seat, expected_version=seat.version, label="Place lead"
    )
    other = (
        Membership.objects.filter(board=board_a, end_date__isnull=True)
        .exclude(pk=seat.pk)
        .order_by("pk")
        .first()
    )
    services.membership_end(
        actor=secretary_a,
        membership=other,
        expected_version=other.version,
        end_date=timezone.localdate(),
        end_reason="resigned",
    )
    today = timezone.localdate()
    changes = board_changes_between(board_a, today, today, by="recorded")
    assert [c.seat.membership_id for c in changes.changed] == [seat.pk]
    assert changes.changed[0].by == secretary_a.get_username()
    assert [s.membership_id for s in changes.ended] == [other.pk]


def test_ending_an_unnamed_seat_says_which_seat(secretary_a_client, board_a, date_fields):
    seat = _loaded_seat(board_a)
    response = secretary_a_client.post(
        f"/boards/{board_a.slug}/members/{seat.pk}/end/",
        {
            **date_fields("end_date", timezone.localdate()),
            "end_reason": "resigned",
            "version": seat.version,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "vacant (Member)" not in page
    assert (
        f"Ended the {seat.get_role_display()} seat for {seat.on_behalf_of.name} "
        "(not named in the source)." in page.replace("&#x27;", "'")
    )


def test_repeated_action_links_say_which_seat_they_act_on(secretary_a_client, board_a):
    page = secretary_a_client.get(board_a.get_absolute_url()).content.decode()
    for action in ("Change", "End"):
        texts = re.findall(rf'>{action}<span class="nhsuk-u-visually-hidden">([^<]*)</span>', page)
        assert len(texts) > 3
        assert len(set(texts)) == len(texts), f"{action} links read the same"


def test_a_person_typed_into_the_portal_is_not_cited_to_a_document(
    secretary_a, secretary_a_client, board_a, date_fields
):
    seat = _loaded_seat(board_a)
    assert seat.citation
    response = secretary_a_client.post(
        f"/boards/{board_a.slug}/members/{seat.pk}/change/",
        _update_post(seat, date_fields, person_name="Ada Lovelace"),
    )
    assert response.status_code == 302
    page = secretary_a_client.get(board_a.get_absolute_url()).content.decode()
    row = next(r for r in page.split('<tr class="nhsuk-table__row">')[1:] if "Ada Lovelace" in r)
    today = date_format(timezone.localdate(), "j F Y")
    assert f"Ada Lovelace: Added by {secretary_a.get_username()} on {today}" in row
    assert f"Seat: {seat.citation}" in row


def test_a_seat_added_in_the_portal_says_who_added_it(secretary_a, secretary_a_client, board_a):
    services.membership_create(
        actor=secretary_a,
        board=board_a,
        person_name="Mary Seacole",
        start_date=timezone.localdate(),
    )
    page = secretary_a_client.get(board_a.get_absolute_url()).content.decode()
    row = next(r for r in page.split('<tr class="nhsuk-table__row">')[1:] if "Mary Seacole" in r)
    assert f"Added by {secretary_a.get_username()} on" in row


def test_the_person_list_offers_only_this_systems_people(secretary_a_client, board_a):
    elsewhere = BoardFactory(system=SystemFactory())
    stranger = PersonFactory(name="Someone Elsewhere")
    MembershipFactory(board=elsewhere, person=stranger)
    unseated = PersonFactory(name="Not Yet Seated")
    form = secretary_a_client.get(f"/boards/{board_a.slug}/members/add/").content.decode()
    assert "Not Yet Seated" in form and "Someone Elsewhere" not in form
    assert unseated.pk
