"""The second system (Eastmoor and Northvale, a renamed copy of C&W's data files) beside
Coventry and Warwickshire, which every test database has."""

import json
from pathlib import Path

import pytest

from icsportal.loading import system_load
from places.models import System

SECOND_FIXTURE = (
    Path(__file__).resolve().parents[2] / "places" / "fixtures" / "second_system" / "en_ics.json"
)
CW, EN = "coventry-and-warwickshire", "eastmoor-and-northvale"


@pytest.fixture
def second_fixture() -> dict:
    return json.loads(SECOND_FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def both(second_fixture) -> tuple[System, System]:
    """C&W (loaded for every test) and the second system, loaded here."""
    system_load(fixture=second_fixture)
    return System.objects.get(slug=CW), System.objects.get(slug=EN)
