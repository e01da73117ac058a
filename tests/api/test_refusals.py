"""Every refusal says the real reason, in the API and on the pages."""

import pytest
from django.test import Client

from governance.models import Membership
from governance.services import role_grant
from tests.api.conftest import BOARD_A

pytestmark = pytest.mark.django_db

ONLY_EDITORS = "Only the board's secretaries and administrators can change its members."


@pytest.mark.parametrize("role", ["commissioner", "analyst", "secretary_b"])
def test_writing_a_membership_without_the_power_says_who_may(api_as, role):
    client = api_as(role)
    if role != "secretary_b":  # a secretary's body is checked first: another board's is 403 below
        created = client.post("/api/v1/memberships/", {"board": BOARD_A}, format="json")
        assert created.status_code == 403
        assert created.json()["detail"] == ONLY_EDITORS
    membership = Membership.objects.filter(board__slug=BOARD_A).first()
    ended = client.post(f"/api/v1/memberships/{membership.pk}/end/", {}, format="json")
    assert ended.status_code == 403
    assert ended.json()["detail"] == ONLY_EDITORS


def test_an_account_without_a_role_is_told_so(api_as):
    response = api_as("no_role").post("/api/v1/memberships/", {}, format="json")
    assert response.status_code == 403
    assert "no portal role" in response.json()["detail"]


def test_a_commissioner_uploading_is_told_who_may(api_as):
    response = api_as("commissioner").post("/api/v1/observations/bulk/", [], format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only analysts and administrators may upload observations."


@pytest.mark.parametrize("role", ["commissioner", "analyst"])
def test_the_page_says_who_may_change_a_boards_members(role):
    client = Client()
    client.force_login(role_grant(username=f"page-{role}", role=role).user)
    response = client.get(f"/boards/{BOARD_A}/members/add/")
    assert response.status_code == 403
    assert ONLY_EDITORS.replace("'", "&#x27;") in response.content.decode()
