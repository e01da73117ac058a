"""A background job's upload, kept in the database in pieces.

A 20 MB upload written or read as one ``bytea`` value costs a process several times its size:
psycopg2 sends a parameter, and returns a value, as hexadecimal text twice as long, with copies
on the way. So the file is appended PIECE bytes at a time (PostgreSQL's ``||`` on bytea), and
read back a piece at a time into a temporary file that spills to disk. SQLite's ``||`` joins
text, not bytes, so there (``make run``, small files) the rest goes in one value.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from typing import BinaryIO

from django.db import connection
from django.db.models import BinaryField
from django.db.models.functions import Length, Substr

from ..models import ImportJob, ImportUpload

PIECE = 2 * 1024 * 1024


@dataclass
class StoredUpload:
    """What a job imports: its kind ("file" or "rows") and its bytes, as a file."""

    kind: str
    file: BinaryIO


def stream_size(data: bytes | BinaryIO) -> tuple[BinaryIO, int]:
    """The upload as a file at its start, and its size in bytes."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return stream, size


def upload_store(job: ImportJob, kind: str, stream: BinaryIO) -> None:
    """Keep the upload with its job, written a piece at a time (see the module's docstring)."""
    ImportUpload.objects.create(job=job, kind=kind, data=stream.read(PIECE))
    if connection.vendor != "postgresql":
        rest = stream.read()
        if rest:
            stored = ImportUpload.objects.get(job=job)
            ImportUpload.objects.filter(job=job).update(data=bytes(stored.data) + rest)
        return
    with connection.cursor() as cursor:
        while piece := stream.read(PIECE):
            cursor.execute(
                "UPDATE metrics_importupload SET data = data || %s WHERE job_id = %s",
                [piece, job.pk],
            )


def upload_open(job_id: int) -> StoredUpload | None:
    """The job's upload, read a piece at a time into a temporary file; None if not kept."""
    found = (
        ImportUpload.objects.filter(job_id=job_id)
        .annotate(size=Length("data"))
        .values_list("kind", "size")
        .first()
    )
    if found is None:
        return None
    kind, size = found
    spool = tempfile.SpooledTemporaryFile(max_size=PIECE)  # noqa: SIM115 - the caller's
    for start in range(1, (size or 0) + 1, PIECE):
        piece = (
            ImportUpload.objects.filter(job_id=job_id)
            .annotate(piece=Substr("data", start, PIECE, output_field=BinaryField()))
            .values_list("piece", flat=True)
            .get()
        )
        spool.write(piece)
    spool.seek(0)
    return StoredUpload(kind=kind, file=spool)
