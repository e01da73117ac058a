"""A background job's upload is written and read back a piece at a time, byte for byte."""

import io

import pytest

from metrics.imports import stored
from metrics.models import ImportJob, ImportUpload

pytestmark = pytest.mark.django_db

# Every byte value, NUL included, and not a whole number of pieces.
DATA = bytes(range(256)) * 50 + b"tail"


def test_an_upload_is_kept_in_pieces_and_read_back_whole(monkeypatch):
    monkeypatch.setattr(stored, "PIECE", 1000)
    job = ImportJob.objects.create(file_name="pieces.csv")
    stream, size = stored.stream_size(io.BytesIO(DATA))
    assert size == len(DATA)

    stored.upload_store(job, "file", stream)

    assert bytes(ImportUpload.objects.get(job=job).data) == DATA
    opened = stored.upload_open(job.pk)
    assert opened.kind == "file"
    assert opened.file.read() == DATA
    opened.file.close()


def test_a_job_whose_upload_is_gone_has_nothing_to_open():
    job = ImportJob.objects.create(file_name="gone.csv")
    assert stored.upload_open(job.pk) is None


def test_an_empty_upload_opens_empty():
    job = ImportJob.objects.create(file_name="empty.csv")
    stored.upload_store(job, "file", io.BytesIO(b""))
    assert stored.upload_open(job.pk).file.read() == b""
