"""Two systems loaded side by side: Coventry and Warwickshire (loaded for every test) and the
second, synthetic system built from its renamed data files; and clients signed in with a role
in one system or in both."""

import json
from pathlib import Path

import pytest
from django.test import Client

from icsportal.loading import system_load
from places.models import System

ROOT = Path(__file__).resolve().parents[2]
SECOND = ROOT / "places" / "fixtures" / "second_system"
SECOND_FIXTURE = SECOND / "en_ics.json"
CW, EN = "coventry-and-warwickshire", "eastmoor-and-northvale"


@pytest.fixture
def second_fixture() -> dict:
    return json.loads(SECOND_FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def both(second_fixture) -> tuple[System, System]:
    """C&W (loaded for every test) and the second system, loaded here."""
    system_load(fixture=second_fixture)
    return System.objects.get(slug=CW), System.objects.get(slug=EN)


def signed_in(username: str, role: str, **grant) -> Client:
    """A client signed in with ``role`` (``system_slugs=[...]``: only in those systems)."""
    from governance.services import role_grant

    client = Client()
    client.force_login(role_grant(username=username, role=role, **grant).user)
    return client
