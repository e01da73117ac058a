"""The uploads page: analysts send a file, follow the job, read the result or the errors."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from metrics.imports import jobs
from metrics.models import ImportJob, Observation

pytestmark = pytest.mark.django_db

HEADER = b"metric,subject_type,subject,period,value\n"
GOOD = HEADER + b"wf-sickness,organisation,UHCW,2001-03-31,4.5\n"
BAD = HEADER + b"wf-sickness,organisation,UHCW,2001-03-31,=1+1\n"


@pytest.fixture
def analyst_client(page_client_as):
    return page_client_as("analyst")


def send(client, data: bytes, name: str = "sickness.csv"):
    return client.post("/metrics/uploads/", {"file": SimpleUploadedFile(name, data)})


def test_an_analyst_uploads_a_file_and_sees_the_result(analyst_client):
    page = analyst_client.get("/metrics/uploads/")
    assert page.status_code == 200
    assert b'type="file"' in page.content
    # The header links here for analysts.
    assert b'href="/metrics/uploads/"' in page.content

    response = send(analyst_client, GOOD)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/metrics/uploads/{job.pk}/"
    result = analyst_client.get(response["Location"])
    text = result.content.decode()
    assert "Imported" in text and "1 row: 1 created, 0 updated, 0 unchanged" in text
    assert 'http-equiv="refresh"' not in text
    assert Observation.objects.filter(batch=job.batch).count() == 1
    listed = analyst_client.get("/metrics/uploads/").content.decode()
    assert f'href="/metrics/uploads/{job.pk}/"' in listed and "Succeeded" in listed


def test_a_failed_import_lists_its_errors_and_offers_them_as_csv(analyst_client):
    before = Observation.objects.count()
    response = send(analyst_client, BAD)
    job = ImportJob.objects.get()
    assert job.status == "failed"
    text = analyst_client.get(response["Location"]).content.decode()
    assert "Nothing was imported" in text
    assert '<th scope="col" class="nhsuk-table__header">Column</th>' in text
    assert "is not a number" in text
    assert Observation.objects.count() == before

    csv = analyst_client.get(f"/metrics/uploads/{job.pk}/errors.csv")
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0] == "row,column,message"
    assert lines[1].startswith("2,value,")
    assert "=1+1" in lines[1]
    assert len(lines) == 2


def test_a_running_job_shows_its_progress_and_refreshes_without_javascript(analyst_client):
    job = ImportJob.objects.create(
        owner=analyst_client.user, file_name="big.csv", status="running", attempts=1
    )
    jobs.progress_save(job.pk, 4000, 10000)
    text = analyst_client.get(f"/metrics/uploads/{job.pk}/").content.decode()
    assert '<progress id="job-progress"' in text
    assert 'max="10000" value="4000"' in text
    assert "4000 of 10000 rows read" in text
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in text
    assert f'data-job-url="/api/v1/imports/{job.pk}/"' in text
    cache.clear()


def test_an_empty_or_missing_file_is_an_error_on_the_form(analyst_client):
    response = analyst_client.post("/metrics/uploads/", {})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Choose a CSV or Excel file to upload" in text
    assert text.count("<title>Error: ") == 1
    assert not ImportJob.objects.exists()


def test_only_analysts_and_administrators_upload(page_client_as, analyst_client):
    job = ImportJob.objects.create(owner=analyst_client.user, file_name="mine.csv")
    commissioner = page_client_as("commissioner")
    assert commissioner.get("/metrics/uploads/").status_code == 403
    assert send(commissioner, GOOD).status_code == 403
    assert commissioner.get(f"/metrics/uploads/{job.pk}/").status_code == 403
    assert b'href="/metrics/uploads/"' not in commissioner.get("/metrics/").content
    # Another analyst does not see this one's job; an administrator does.
    other = page_client_as("analyst", username="another-analyst")
    assert other.get(f"/metrics/uploads/{job.pk}/").status_code == 404
    assert other.get(f"/metrics/uploads/{job.pk}/errors.csv").status_code == 404
    admin = page_client_as("admin")
    assert admin.get(f"/metrics/uploads/{job.pk}/").status_code == 200
    assert not ImportJob.objects.exclude(pk=job.pk).exists()
