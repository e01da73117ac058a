"""Fixtures for the assurance tests: the governance tests' boards, a user per role, and form
data helpers (risks and links are changed by boards' secretaries)."""

from tests.governance.conftest import (  # noqa: F401 - fixtures pytest finds by name
    BOARD_A,
    BOARD_B,
    ROLES,
    board_a,
    board_b,
    client_as,
    date_fields,
    secretary_a,
    secretary_a_client,
    user_as,
)
