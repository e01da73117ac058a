"""Loading a system writes each model's rows together: every row is checked before any is
written, a refused fixture leaves nothing behind, history is kept for every row written, and
the number of statements does not grow with the number of rows."""

import copy
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.choices import Role
from governance.models import Organisation
from icsportal.loading import system_load, system_unload
from places.models import Fact, System
from tests.backends import postgresql_only

pytestmark = pytest.mark.django_db

SECOND_FIXTURE = Path(__file__).resolve().parents[2] / "places/fixtures/second_system/en_ics.json"
EN = "eastmoor-and-northvale"


@pytest.fixture
def second_fixture() -> dict:
    return json.loads(SECOND_FIXTURE.read_text(encoding="utf-8"))


def test_a_bad_field_is_refused_naming_the_row_and_field_and_nothing_is_loaded(second_fixture):
    bad = second_fixture["facts"][-1]
    bad["kind"] = "not-a-kind"
    with pytest.raises(ValueError, match=rf"fact .*key={bad['key']}: kind: "):
        system_load(fixture=second_fixture)
    assert not System.objects.filter(slug=EN).exists()


def test_a_row_named_twice_is_refused_and_nothing_is_loaded(second_fixture):
    second_fixture["facts"].append(copy.deepcopy(second_fixture["facts"][0]))
    key = second_fixture["facts"][0]["key"]
    with pytest.raises(ValueError, match=rf"fact .*key={key}: the fixture has it twice"):
        system_load(fixture=second_fixture)
    assert not System.objects.filter(slug=EN).exists()


def test_two_new_chairs_of_one_board_at_once_are_refused(second_fixture):
    # Dated terms, which the database's one-open-chair index does not cover.
    seats = [m for m in second_fixture["memberships"] if m["role"] == Role.CHAIR]
    chair = seats[0]
    chair.update(start_date="2020-01-01", end_date="2021-12-31")
    other = next(
        m
        for m in second_fixture["memberships"]
        if m["board"] == chair["board"] and m is not chair and not m["person"]
    )
    other.update(role=Role.CHAIR, start_date="2021-06-01", end_date="2022-05-31")
    with pytest.raises(ValueError, match=r"membership .*: role: another seat of the fixture"):
        system_load(fixture=second_fixture)
    assert not System.objects.filter(slug=EN).exists()


def test_a_row_the_database_refuses_is_named_and_not_written(second_fixture):
    system_load(fixture=second_fixture)
    headline = next(f for f in second_fixture["facts"] if f["is_headline"] and f["place"])
    second_fixture["facts"].append({**headline, "key": "fact_second_headline"})
    with pytest.raises(
        ValueError,
        match=r"fact .*key=fact_second_headline: A Place has only one headline figure",
    ):
        system_load(fixture=second_fixture)
    assert not Fact.objects.filter(key="fact_second_headline").exists()


def test_history_is_kept_for_rows_created_and_for_rows_a_reload_changes(second_fixture):
    system_load(fixture=second_fixture)
    record = second_fixture["organisations"][0]
    org = Organisation.objects.get(system__slug=EN, key=record["key"])
    assert [(h.history_type, h.name) for h in org.history.all()] == [("+", record["name"])]
    first_name, record["name"] = record["name"], "Renamed Trust"
    report = system_load(fixture=second_fixture)
    assert report.changed == 1
    assert report.updated["organisations"] == 1
    org.refresh_from_db()
    assert org.name == "Renamed Trust"
    assert [(h.history_type, h.name) for h in org.history.order_by("history_id")] == [
        ("+", first_name),
        ("~", "Renamed Trust"),
    ]


def _statements(fixture: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        system_load(fixture=fixture)
    return len(queries.captured_queries)


@postgresql_only("SQLite splits a bulk insert into statements of at most 999 parameters")
def test_the_statements_of_a_load_do_not_grow_with_its_rows(second_fixture):
    once = _statements(second_fixture)
    system_unload(slug=EN)
    doubled = copy.deepcopy(second_fixture)
    doubled["facts"] += [
        {**fact, "key": f"{fact['key']}_again", "is_headline": False}
        for fact in second_fixture["facts"]
    ]
    # The same statements, each writing twice the facts: one to find them, one to insert them.
    assert _statements(doubled) == once
    assert Fact.objects.filter(system__slug=EN).count() == 2 * len(second_fixture["facts"])
