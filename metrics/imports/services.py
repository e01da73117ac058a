"""Importing observations from an upload (CSV, XLSX or the API's rows), all or nothing.

An upload has the columns ``metric, subject_type, subject, period, value`` and optionally
``note`` (see columns). Every error names its row and column; an upload with any error writes
nothing. A clean CSV file on PostgreSQL takes the COPY path (see copy); everything else is read
(readers), screened (safety), checked (validation) and staged (staging) row by row.
"""

from __future__ import annotations

import codecs
import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from icsportal.db_errors import is_write_conflict

from ..choices import SubjectType
from ..models import ImportBatch, Series
from ..outbox import recompute_after_commit
from . import copy as copy_path
from .budget import Budget
from .columns import RawRow
from .errors import ErrorCollector, ImportConflict
from .readers import NO_DATA, dict_rows, file_rows, seekable
from .safety import screened_rows, staged_notes_safe
from .staging import (
    GenericWriter,
    PostgresWriter,
    WriteRace,
    staged_conflicts_report,
    staging_writer,
)
from .validation import Validator

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

logger = logging.getLogger(__name__)

# New rows are written in key order, so uploads creating the same rows wait for each other
# rather than deadlock; a deadlock (two uploads changing the same rows in different orders, or
# with the snapshot builder) or a serialization failure runs the whole import again, at most
# this many times in all, pausing up to this many seconds times the attempt between them.
CONFLICT_ATTEMPTS = 4
CONFLICT_PAUSE = 0.2
# The budget is checked (and progress reported) every this many rows.
TICK_ROWS = 2000
# PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout.
_QUERY_CANCELED = "57014"


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the batch, its rows and how many observations it created or updated."""

    batch: ImportBatch
    rows: int
    created: int
    updated: int
    unchanged: int
    series_created: int
    # Series with a created or updated observation: their Places are recomputed.
    series_ids: tuple[int, ...]


def observations_import(
    *,
    file: BinaryIO | str | os.PathLike[str] | None = None,
    file_name: str = "",
    rows: Iterable[Mapping[str, Any]] | None = None,
    user: AbstractBaseUser | None = None,
    budget: Budget | None = None,
    on_written: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Import every row of the upload or none: upsert its observations and report the counts.

    Give either ``file`` (a path or a binary file: CSV in UTF-8, or XLSX) or ``rows`` (dicts
    with the same keys as the columns). Raises ImportFailed, with every error's row and column,
    and then writes nothing; ImportConflict (a 409) when other writers kept winning the same
    rows; BudgetExceeded (a 413) as soon as it runs over the ``budget``'s time or memory (by
    default a background job's, from settings; a request passes its own, shorter one).
    ``on_written(result)`` runs in the import's transaction once the rows are written (a
    background job records its result there). After the commit the affected series are
    recomputed.
    """
    if budget is None:
        budget = Budget.for_job()
    if (file is None) == (rows is None):
        raise TypeError("Give either file or rows.")
    if isinstance(file, str | os.PathLike):
        path = Path(file)
        with path.open("rb") as stream:
            return observations_import(
                file=stream,
                file_name=file_name or path.name,
                rows=None,
                user=user,
                budget=budget,
                on_written=on_written,
            )
    if rows is not None and not isinstance(rows, list | tuple):
        rows = list(rows)  # read again if the transaction is retried
    with seekable(file) as stream:
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                return _import_once(
                    stream,
                    rows=rows,
                    file_name=file_name,
                    user=user,
                    budget=budget,
                    on_written=on_written,
                )
            except Exception as exc:
                if _cancelled(exc):
                    raise budget.out_of_time() from exc
                raced = isinstance(exc, WriteRace) or (
                    isinstance(exc, OperationalError) and is_write_conflict(exc)
                )
                if not raced:
                    raise
                if attempt == CONFLICT_ATTEMPTS:
                    raise ImportConflict() from exc
                logger.warning(
                    "Import %r met another writer (%s); trying again",
                    file_name,
                    str(exc).partition("\n")[0],
                )
            _before_retry(stream, attempt)


def _before_retry(stream: BinaryIO | None, attempt: int) -> None:
    if stream is not None:
        stream.seek(0)
    # Apart at random, so that the uploads that met do not meet again.
    time.sleep(random.uniform(0, CONFLICT_PAUSE * attempt))  # noqa: S311 - not a secret


def _cancelled(exc: BaseException) -> bool:
    """Whether PostgreSQL cancelled the statement: the import ran out of time."""
    cause = exc.__cause__ or exc
    return getattr(cause, "pgcode", None) == _QUERY_CANCELED


def _time_limit(budget: Budget) -> None:
    """On PostgreSQL, no statement of the import may run past the budget's time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            milliseconds = max(1, int(budget.remaining() * 1000))
            cursor.execute(f"SET LOCAL statement_timeout = {milliseconds}")


def _watched(rows: Iterable[RawRow], budget: Budget) -> Iterator[RawRow]:
    """The rows, checking the budget and reporting progress every TICK_ROWS rows."""
    next_tick = TICK_ROWS
    for raw in rows:
        if raw.row >= next_tick:
            budget.tick(raw.row - 1)
            next_tick = raw.row + TICK_ROWS
        yield raw


def _import_once(
    stream: BinaryIO | None, *, rows, file_name: str, user, budget: Budget, on_written
) -> ImportResult:
    """One attempt at the whole import, in one transaction."""
    errors = ErrorCollector()
    with transaction.atomic():
        _time_limit(budget)
        if stream is not None and _copy_possible(stream, file_name):
            result = _import_by_copy(stream, file_name=file_name, user=user, budget=budget)
            if result is not None:
                if on_written is not None:
                    on_written(result)
                _recompute(result)
                return result
        source = (
            dict_rows(rows, errors)
            if rows is not None
            else file_rows(stream, file_name, errors, budget)
        )
        source = screened_rows(_watched(source, budget), errors)
        validator = Validator(errors)
        with connection.cursor() as cursor:
            writer = staging_writer(cursor)
            writer.create()
            staged = (r for r in map(validator.stage, source) if r is not None)
            writer.stage(staged)
            if not errors.total and not validator.rows:
                errors.add(None, None, NO_DATA if rows is None else "There are no rows.")
            if validator.rows:
                staged_conflicts_report(cursor, errors)
            if errors.total:
                raise errors.failure()
            result = _write(cursor, writer, validator, file_name=file_name, user=user)
            writer.drop()
        if on_written is not None:
            on_written(result)
        _recompute(result)
    return result


def _recompute(result: ImportResult) -> None:
    if result.series_ids:
        recompute_after_commit(series_ids=list(result.series_ids))


def _copy_possible(stream: BinaryIO, file_name: str) -> bool:
    """Whether the upload may take the COPY path: a CSV file (by its content) on PostgreSQL."""
    if connection.vendor != "postgresql":
        return False
    head = stream.read(8)
    stream.seek(0)
    return (
        bool(head)
        and not head.startswith(
            (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        )
        and Path(file_name).suffix.lower() not in (".xlsx", ".xlsm")
    )


def _import_by_copy(
    stream: BinaryIO, *, file_name: str, user, budget: Budget
) -> ImportResult | None:
    """Import a clean CSV through COPY (see copy); None if it needs the row-by-row path."""
    try:
        with transaction.atomic():
            validator = Validator(ErrorCollector())
            with connection.cursor() as cursor:
                writer = PostgresWriter(cursor)
                writer.create()
                # Looked up on the module at each call, so that tests can watch the attempts.
                has_note = copy_path.copy_stage(stream, cursor, validator, budget)
                if has_note and not staged_notes_safe(cursor):
                    raise copy_path.NotClean
                result = _write(cursor, writer, validator, file_name=file_name, user=user)
                writer.drop()
                return result
    except copy_path.NotClean:
        stream.seek(0)
        return None


def _write(
    cursor, writer: GenericWriter, validator: Validator, *, file_name: str, user
) -> ImportResult:
    """Create the new series, the batch and the observations; return what was done."""
    new = validator.new_series
    if new:
        # Another upload may be creating the same series: skip those, then read every id back.
        # In key order, as the observations are: uploads creating the same series wait, never
        # deadlock.
        Series.objects.bulk_create(
            (
                Series(metric_id=metric_id, subject_type=kind, **{_SUBJECT_FIELD[kind]: subject})
                for metric_id, kind, subject in sorted(new.values())
            ),
            ignore_conflicts=True,
        )
        ids = {}
        for pk, metric_id, kind, *subjects in Series.objects.filter(
            metric_id__in={metric_id for metric_id, _, _ in new.values()}
        ).values_list(
            "id", "metric_id", "subject_type", "system_id", "place_id", "organisation_id"
        ):
            ids[metric_id, kind, next(i for i in subjects if i is not None)] = pk
        cursor.executemany(
            "INSERT INTO metrics_import_series (placeholder, series_id) VALUES (%s, %s)",
            [(placeholder, ids[key]) for placeholder, key in new.items()],
        )
        cursor.execute(
            "UPDATE metrics_import_staging SET series_id = (SELECT m.series_id "
            "FROM metrics_import_series m WHERE m.placeholder = metrics_import_staging.series_id)"
            " WHERE series_id < 0"
        )
    batch = ImportBatch.objects.create(
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        file_name=file_name[:300],
        rows=validator.rows,
    )
    upserted = writer.upsert(batch_id=batch.pk, now=timezone.now(), rows=validator.rows)
    batch.created, batch.updated = upserted.created, upserted.updated
    batch.unchanged = validator.rows - upserted.created - upserted.updated
    batch.save(update_fields=["created", "updated", "unchanged"])
    return ImportResult(
        batch=batch,
        rows=batch.rows,
        created=upserted.created,
        updated=upserted.updated,
        unchanged=batch.unchanged,
        series_created=len(new),
        series_ids=tuple(upserted.series_ids),
    )


_SUBJECT_FIELD = {
    SubjectType.SYSTEM: "system_id",
    SubjectType.PLACE: "place_id",
    SubjectType.ORGANISATION: "organisation_id",
}
