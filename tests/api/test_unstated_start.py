"""Issue #19: a seat whose start date the source does not state can be changed through the API."""

import pytest

from governance.models import Membership
from tests.api.conftest import BOARD_A

pytestmark = pytest.mark.django_db


def _loaded_seat() -> Membership:
    return (
        Membership.objects.filter(board__slug=BOARD_A, start_date__isnull=True)
        .order_by("pk")
        .first()
    )


def test_a_seat_with_no_start_date_changes_role_and_keeps_it_unstated(api_as):
    client = api_as("secretary_a")
    seat = _loaded_seat()
    tag = client.get(f"/api/v1/memberships/{seat.pk}/")["ETag"]
    response = client.patch(
        f"/api/v1/memberships/{seat.pk}/",
        {"role": "vice_chair", "start_date": None},
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "vice_chair" and response.json()["start_date"] is None


def test_a_known_start_date_cannot_be_cleared(api_as):
    client = api_as("secretary_a")
    seat = _loaded_seat()
    tag = client.get(f"/api/v1/memberships/{seat.pk}/")["ETag"]
    response = client.patch(
        f"/api/v1/memberships/{seat.pk}/",
        {"start_date": "2019-04-01"},
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert response.status_code == 200, response.content
    response = client.patch(
        f"/api/v1/memberships/{seat.pk}/",
        {"start_date": None},
        format="json",
        HTTP_IF_MATCH=response["ETag"],
    )
    assert response.status_code == 400 and "start_date" in response.json()
