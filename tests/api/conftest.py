import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from governance.services import role_grant
from icsportal.api.tokens import token_issue

BOARD_A = "warwickshire-north-place-executive"
BOARD_B = "coventry-place-executive"

# role name → (portal role, boards a secretary keeps)
ROLES = {
    "commissioner": ("commissioner", []),
    "secretary_a": ("board_secretary", [BOARD_A]),
    "secretary_b": ("board_secretary", [BOARD_B]),
    "analyst": ("analyst", []),
    "admin": ("admin", []),
}


def token_client(username: str, role: str | None, boards=()) -> APIClient:
    if role:
        user = role_grant(username=username, role=role, board_slugs=list(boards)).user
    else:
        user, _ = get_user_model().objects.get_or_create(username=username)
    issued = token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    client.user = user
    # The key exists only here: the database keeps its hash.
    client.token, client.token_key = issued.token, issued.key
    return client


@pytest.fixture
def api_as(db):
    """api_as("analyst") → an APIClient holding that role's token; None → anonymous."""

    def make(name: str | None) -> APIClient:
        if name is None:
            return APIClient()
        if name == "no_role":
            return token_client("api-no-role", None)
        role, boards = ROLES[name]
        return token_client(f"api-{name}", role, boards)

    return make


@pytest.fixture
def analyst(api_as):
    return api_as("analyst")
