"""A real worker process runs the portal's tasks from the broker (Redis in CI)."""

import pytest

from places.models import System
from places.tasks import system_counts_task


@pytest.mark.worker
def test_worker_runs_a_task_against_the_database(celery_worker_process):
    from django.core.management import call_command

    # The transactional test database starts empty: load the system so the worker can read it.
    call_command("load_cw_ics", verbosity=0)
    slug = System.objects.get().slug

    result = system_counts_task.delay(slug)

    counts = result.get(timeout=30)
    assert counts["places"] == 4
    assert counts["boards"] == 65
    assert counts["memberships"] > 60
    assert celery_worker_process.poll() is None, "the worker must still be running"
