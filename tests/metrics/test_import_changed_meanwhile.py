"""An upload's update takes no row lock first: an observation another writer changes while the
upload's UPDATE waits for it is not overwritten against a stale "before"; the import runs
again and logs the change from the value the other writer left."""

import io
import threading
import time

import pytest
from django.db import connection, transaction

from metrics.imports import observations_import
from metrics.imports import services as importers
from metrics.models import Observation, ObservationChange
from tests.backends import postgresql_only
from tests.factories import MetricFactory, PlaceFactory, SystemFactory

METRIC = "test-meanwhile-monthly"


def _csv(value: int) -> io.BytesIO:
    return io.BytesIO(
        f"metric,subject_type,subject,period,value\n{METRIC},place,meanwhile,2021-01,{value}\n"
        .encode()
    )  # fmt: skip


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        # This database's sessions only: another database's on the same server may be waiting.
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE NOT l.granted AND a.datname = current_database())"
        )
        return cursor.fetchone()[0]


@postgresql_only("row versions re-checked by a waiting UPDATE are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_row_changed_while_the_update_waits_is_logged_from_its_new_value(monkeypatch):
    monkeypatch.setattr(importers, "_recompute", lambda result: None)
    retries = []
    before_retry = importers._before_retry
    monkeypatch.setattr(
        importers, "_before_retry", lambda *a: (retries.append(a[1]), before_retry(*a))
    )
    system = SystemFactory(key="meanwhile-system", slug="meanwhile-system")
    PlaceFactory(key="meanwhile", slug="meanwhile", system=system)
    MetricFactory(code=METRIC, frequency="monthly", minimum=0)
    observations_import(file=_csv(1), file_name="first.csv")

    locked, release = threading.Event(), threading.Event()
    results = {}

    def other_writer():
        # Another writer changes the value to 7 and holds its row lock until released.
        try:
            with transaction.atomic():
                Observation.objects.filter(series__metric__code=METRIC).update(value=7)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    def upload():
        try:
            locked.wait(30)
            results["upload"] = observations_import(file=_csv(2), file_name="second.csv")
        finally:
            connection.close()

    threads = [threading.Thread(target=other_writer), threading.Thread(target=upload)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while not _someone_waits_for_a_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _someone_waits_for_a_lock(), "the upload's UPDATE never waited for the row"
    release.set()
    for thread in threads:
        thread.join(60)

    assert results["upload"].updated == 1
    assert retries == [1]  # the first attempt met the change and was run again
    assert Observation.objects.get(series__metric__code=METRIC).value == 2
    # One change, from the value the other writer committed, not the 1 first read.
    assert list(
        ObservationChange.objects.filter(series__metric__code=METRIC).values_list(
            "before_value", "after_value"
        )
    ) == [(7.0, 2.0)]
