"""Issue 17, item 4: overlapping uploads of the same rows in different orders.

Ten uploads at once, each with its own database connection, of the same rows shuffled: every
one succeeds (or is a true 409), none is a 5xx, the final values are right and each actual
change is recorded once.
"""

import random
import threading
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client

from governance.services import role_grant
from icsportal.api.tokens import token_issue
from metrics.api import views as metrics_api_views
from metrics.imports import services as importers
from metrics.models import Observation, ObservationChange
from tests.api.conftest import token_client
from tests.backends import postgresql_only
from tests.factories import MetricFactory

UPLOADS = 10
MONTHS = [f"{year}-{month:02d}" for year in (2021, 2022) for month in range(1, 13)]
PLACES = ["rugby", "coventry", "warwickshire-north", "south-warwickshire"]
METRIC = "test-concurrent-admissions"


def _rows(value: float) -> list[dict]:
    return [
        {"metric": METRIC, "subject_type": "place", "subject": place, "period": month,
         "value": value}
        for place in PLACES
        for month in MONTHS
    ]  # fmt: skip


def _upload_all_at_once(key: str, rows: list[dict]) -> Counter:
    statuses: Counter = Counter()
    lock = threading.Lock()
    start = threading.Barrier(UPLOADS)

    def upload(seed: int) -> None:
        mine = rows[:]
        random.Random(seed).shuffle(mine)
        client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {key}")
        start.wait()
        try:
            response = client.post(
                "/api/v1/observations/bulk/", mine, content_type="application/json"
            )
            with lock:
                statuses[response.status_code] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(UPLOADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@postgresql_only("concurrent writers need a database with row locks and real connections")
@pytest.mark.django_db(transaction=True)
def test_simultaneous_uploads_in_different_orders_all_succeed():
    call_command("load_cw_ics", verbosity=0)
    MetricFactory(code=METRIC, frequency="monthly", minimum=0)
    user = role_grant(username="uploader", role="analyst").user
    key = token_issue(user=user).key

    # Twice: first every row is new (and so are the series), then every row changes.
    for value in (1.0, 2.0):
        statuses = _upload_all_at_once(key, _rows(value))
        assert sum(statuses.values()) == UPLOADS
        assert set(statuses) <= {201, 409}, statuses
        assert statuses[201] >= 1
        observations = Observation.objects.filter(series__metric__code=METRIC)
        assert observations.count() == len(PLACES) * len(MONTHS)
        assert set(observations.values_list("value", flat=True)) == {value}
    # One change per row for the second value (creations are not change rows): the other
    # uploads found the rows already so.
    changes = ObservationChange.objects.filter(series__metric__code=METRIC)
    assert changes.count() == len(PLACES) * len(MONTHS)
    assert Counter(changes.values_list("before_value", "after_value")) == {
        (1.0, 2.0): len(PLACES) * len(MONTHS),
    }


def _database_error(pgcode: str | None) -> OperationalError:
    """Django's OperationalError over a driver error with PostgreSQL's SQLSTATE, as raised."""
    driver_error = type("DriverError", (Exception,), {"pgcode": pgcode})("server says no")
    error = OperationalError("deadlock detected" if pgcode else "could not connect")
    error.__cause__ = driver_error
    return error


ROW = {"metric": "bcf-nea", "subject_type": "place", "subject": "rugby", "period": "2019/20",
       "value": 4100}  # fmt: skip


@pytest.mark.django_db
def test_an_upload_that_keeps_meeting_other_writers_is_a_true_409(monkeypatch):
    attempts = []

    def deadlocked(*args, **kwargs):
        attempts.append(1)
        raise _database_error("40P01")

    monkeypatch.setattr(importers, "_import_once", deadlocked)
    monkeypatch.setattr(importers, "CONFLICT_PAUSE", 0)
    client = token_client("uploader", "analyst")
    response = client.post("/api/v1/observations/bulk/", [ROW], format="json")
    assert response.status_code == 409
    assert response.json()["errors"][0]["message"].startswith("Another upload changed these rows")
    assert len(attempts) == importers.CONFLICT_ATTEMPTS


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pgcode", "status", "says"),
    [
        ("40P01", 409, "Another request changed the same rows"),
        ("40001", 409, "Another request changed the same rows"),
        (None, 503, "database cannot be reached"),
        ("08006", 503, "database cannot be reached"),
    ],
)
def test_only_a_real_connection_failure_says_the_database_cannot_be_reached(
    monkeypatch, pgcode, status, says
):
    def fails(**kwargs):
        raise _database_error(pgcode)

    monkeypatch.setattr(metrics_api_views, "observations_import", fails)
    client = token_client("uploader", "analyst")
    client.raise_request_exception = False
    response = client.post("/api/v1/observations/bulk/", [ROW], format="json")
    assert response.status_code == status
    assert says in response.json()["detail"]
