"""Fixtures for the governance tests: two boards, a user per role, and form data helpers."""

import datetime as dt

import pytest
from django.test import Client

from governance.models import Board
from governance.services import role_grant

BOARD_A = "warwickshire-north-place-executive"
BOARD_B = "coventry-place-executive"

# name → (portal role, boards a secretary keeps); None is a visitor who has not signed in.
ROLES = {
    "anonymous": None,
    "commissioner": ("commissioner", []),
    "secretary_a": ("board_secretary", [BOARD_A]),
    "secretary_b": ("board_secretary", [BOARD_B]),
    "analyst": ("analyst", []),
    "admin": ("admin", []),
}


@pytest.fixture
def board_a(db) -> Board:
    return Board.objects.get(slug=BOARD_A)


@pytest.fixture
def board_b(db) -> Board:
    return Board.objects.get(slug=BOARD_B)


@pytest.fixture
def user_as(db):
    """user_as("secretary_a") → a user holding that role (created once per test)."""

    def make(name: str):
        role, boards = ROLES[name]
        return role_grant(username=f"gov-{name}", role=role, board_slugs=boards).user

    return make


@pytest.fixture
def client_as(user_as):
    """client_as("secretary_a") → a test client signed in with that role; "anonymous" → not."""

    def make(name: str) -> Client:
        client = Client()
        client.user = None
        if ROLES[name] is not None:
            client.user = user_as(name)
            client.force_login(client.user)
            # The first request stamps and saves the session; later ones only read it.
            client.get("/about/icons/")
        return client

    return make


@pytest.fixture
def secretary_a(user_as):
    return user_as("secretary_a")


@pytest.fixture
def secretary_a_client(client_as):
    return client_as("secretary_a")


def _date_fields(prefix: str, day: dt.date | None) -> dict:
    if day is None:
        return {f"{prefix}_day": "", f"{prefix}_month": "", f"{prefix}_year": ""}
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


@pytest.fixture
def date_fields():
    """date_fields("start_date", date) → the day, month and year boxes of a date input."""
    return _date_fields
