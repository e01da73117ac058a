"""An analyst's upload in a real browser, each page checked with axe (WCAG 2.2 A and AA): the
uploads page and its form's error, a file with a bad cell and its table of problems, a good
file and its result, and a job still running with its progress bar (followed by JavaScript,
which reloads the page with the result once the job has finished)."""

import threading

import pytest

from tests.e2e.test_browser import WIDTHS, check_page

# The marker makes pytest-django create the test database; the test reads it through the server.
pytestmark = pytest.mark.django_db

HEADER = "metric,subject_type,subject,period,value\n"
FILE_NAME = "e2e-sickness.csv"


@pytest.fixture(scope="module")
def analyst_page(signed_in, django_db_blocker):
    """A window signed in as an analyst; the imports made here are removed at the end."""
    with signed_in("e2e-analyst", "analyst", viewport=WIDTHS["desktop"]) as page:
        yield page
        with django_db_blocker.unblock():
            from django.db import connections

            from metrics.models import ImportBatch, ImportJob, Observation

            Observation.objects.filter(batch__file_name=FILE_NAME).delete()
            ImportBatch.objects.filter(file_name=FILE_NAME).delete()
            ImportJob.objects.filter(owner=page.user).delete()
            connections.close_all()


def choose(page, text: str) -> None:
    page.set_input_files(
        "#id_file", files=[{"name": FILE_NAME, "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_load_state()


def test_an_analyst_uploads_and_reads_the_result(analyst_page, portal, artifacts, axe_script):
    page = analyst_page
    base = portal["url"]
    page.goto(f"{base}/metrics/")
    page.get_by_role("link", name="Uploads").click()
    page.wait_for_url("**/metrics/uploads/")
    check_page(page, axe_script, artifacts, "uploads")

    # Sent without a file: the error summary links to the file input.
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    check_page(page, axe_script, artifacts, "uploads-error")

    choose(page, HEADER + "wf-sickness,organisation,UHCW,2001-03-31,lots\n")
    assert page.get_by_role("heading", name="Nothing was imported").is_visible()
    row = page.locator("tbody tr").first
    assert row.locator("td").all_inner_texts()[:2] == ["Row 2", "Column value"] or (
        "2" in row.inner_text() and "value" in row.inner_text()
    )
    assert page.get_by_role("link", name="Download the problems as CSV").is_visible()
    check_page(page, axe_script, artifacts, "upload-failed")

    page.get_by_role("link", name="Upload another file").click()
    page.wait_for_url("**/metrics/uploads/")
    choose(page, HEADER + "wf-sickness,organisation,UHCW,2001-03-31,4.5\n")
    assert page.get_by_role("heading", name="Imported").is_visible()
    assert "1 created" in page.locator(".nhsuk-card").inner_text()
    check_page(page, axe_script, artifacts, "upload-succeeded")


def committed(work):
    """Run ``work`` on a connection of its own (another thread's), committed at once: the
    test's own connection is inside the test's transaction, which the server cannot see."""
    from django.db import connection

    result = []

    def run():
        try:
            result.append(work())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result[0]


def test_a_running_job_shows_a_progress_bar_then_its_result(
    analyst_page, portal, django_db_blocker, artifacts, axe_script
):
    from django.contrib.auth import get_user_model

    from metrics.imports import jobs
    from metrics.models import ImportJob

    def start():
        owner = get_user_model().objects.get(username="e2e-analyst")
        job = ImportJob.objects.create(
            owner=owner, file_name=FILE_NAME, status="running", attempts=1, size=1000
        )
        jobs.progress_save(job.pk, 250, 1000)
        return job.pk

    with django_db_blocker.unblock():
        pk = committed(start)
    page = analyst_page
    page.goto(f"{portal['url']}/metrics/uploads/{pk}/")
    bar = page.locator("progress#job-progress")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("250", "1000")
    check_page(page, axe_script, artifacts, "upload-running")

    # The job finishes: the page's script sees it in the job's JSON and shows the result.
    with django_db_blocker.unblock():
        committed(
            lambda: ImportJob.objects.filter(pk=pk).update(
                status="succeeded", rows=1000, created=1000
            )
        )
    page.get_by_role("heading", name="Imported").wait_for(timeout=10_000)
    assert "1000 rows: 1000 created" in page.locator(".nhsuk-card").inner_text()
