import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from governance.models import RoleGrant

pytestmark = pytest.mark.django_db


def test_grant_role_creates_user_with_unusable_password_and_assigns_boards():
    call_command(
        "grant_role",
        "jo",
        "board_secretary",
        "--board",
        "warwickshire-north-place-executive",
        "--board",
        "coventry-place-executive",
        stdout=None,
    )
    user = get_user_model().objects.get(username="jo")
    assert not user.has_usable_password()
    grant = RoleGrant.objects.get(user=user)
    assert grant.role == "board_secretary"
    assert set(grant.boards.values_list("slug", flat=True)) == {
        "warwickshire-north-place-executive",
        "coventry-place-executive",
    }


def test_grant_role_changes_role_and_admin_gets_staff():
    call_command("grant_role", "sam", "analyst")
    call_command("grant_role", "sam", "admin")
    user = get_user_model().objects.get(username="sam")
    assert user.portal_role.role == "admin"
    assert user.is_staff and user.is_superuser


def test_grant_role_refuses_unknown_board_and_writes_nothing():
    with pytest.raises(CommandError, match="No board with slug nope"):
        call_command("grant_role", "kim", "board_secretary", "--board", "nope")
    assert not get_user_model().objects.filter(username="kim").exists()


def test_grant_role_refuses_boards_for_other_roles():
    with pytest.raises(CommandError, match="Only a board secretary"):
        call_command(
            "grant_role", "kim", "analyst", "--board", "warwickshire-north-place-executive"
        )
