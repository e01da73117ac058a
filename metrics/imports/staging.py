"""Staging an upload's good rows in a temporary table, checking them there, and upserting them.

PostgreSQL (psycopg2) stages with COPY and upserts in one statement; other databases use
batched inserts and portable SQL. Both record every change to an existing observation against
the batch (before and after); a created observation is recorded by its own row, which names
the batch that created it (and so who and when), so the change log does not repeat it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import NamedTuple

from django.db import IntegrityError, connection

from icsportal import pgcopy

from ..choices import Provenance
from .errors import MAX_ERRORS, ErrorCollector, number_text
from .validation import ParsedRow


class Upserted(NamedTuple):
    """What an upsert did: observations created and updated, and the series they belong to."""

    created: int
    updated: int
    series_ids: list[int]


_BATCH_ROWS = 5000


class _ChunkReader:
    """A read()-able file over byte chunks for COPY FROM STDIN; keeps what the chunks raised."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks = chunks
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        try:
            return next(self.chunks, b"")
        except BaseException as exc:  # noqa: BLE001 - re-raised after COPY; psycopg2 hides it
            self.error = exc
            return b""


class GenericWriter:
    """Stages with batched inserts and upserts with portable SQL (SQLite; any backend)."""

    def __init__(self, cursor):
        self.cursor = cursor

    def create(self) -> None:
        """Create the empty staging tables (temporary: only this connection sees them)."""
        self.cursor.execute(
            "CREATE TEMP TABLE metrics_import_staging (upload_row integer NOT NULL, "
            "series_id bigint NOT NULL, period_start date NOT NULL, period_end date NOT NULL, "
            "value double precision NOT NULL, note text NOT NULL, "
            "numerator double precision, denominator double precision)"
        )
        self.cursor.execute(
            "CREATE TEMP TABLE metrics_import_series "
            "(placeholder bigint PRIMARY KEY, series_id bigint NOT NULL)"
        )

    def drop(self) -> None:
        """Drop the staging tables once their rows are written."""
        self.cursor.execute("DROP TABLE metrics_import_staging")
        self.cursor.execute("DROP TABLE metrics_import_series")

    def stage(self, records: Iterator[ParsedRow]) -> None:
        """Insert the rows into the staging table, in batches."""
        adapt = connection.ops.adapt_datefield_value
        sql = "INSERT INTO metrics_import_staging VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        batch: list[tuple] = []
        for row, series_id, start, end, value, note, num, den in records:
            batch.append((row, series_id, adapt(start), adapt(end), value, note, num, den))
            if len(batch) >= _BATCH_ROWS:
                self.cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            self.cursor.executemany(sql, batch)

    def upsert(self, *, batch_id: int, now: dt.datetime, rows: int) -> Upserted:
        """Write the ``rows`` staged rows and their change records; say what changed."""
        now = connection.ops.adapt_datetimefield_value(now)
        params = {"batch": batch_id, "now": now, **_PROVENANCE}
        # Before the upsert, while the observations still hold their old values: the rows that
        # are new, and a change row for each real change to an existing observation.
        self.cursor.execute(_GENERIC_NEW, params)
        (created,) = self.cursor.fetchone()
        self.cursor.execute(_GENERIC_CHANGES, params)
        updated = self.cursor.rowcount
        self.cursor.execute(_GENERIC_UPSERT, params)
        # Every row written (created or updated) now names this batch; found through the
        # staged keys, as the observations' batch is not indexed.
        self.cursor.execute(
            "SELECT DISTINCT s.series_id FROM metrics_import_staging s "
            "JOIN metrics_observation o "
            "ON o.series_id = s.series_id AND o.period_start = s.period_start "
            "WHERE o.batch_id = %s ORDER BY s.series_id",
            [batch_id],
        )
        return Upserted(created, updated, [r[0] for r in self.cursor.fetchall()])


class PostgresWriter(GenericWriter):
    """Stages with COPY and upserts in one statement (PostgreSQL with psycopg2)."""

    def create(self) -> None:
        super().create()
        # Large uploads hash-join and group a million rows; let them do it in memory.
        self.cursor.execute("SET LOCAL work_mem = '64MB'")

    def stage(self, records: Iterator[ParsedRow]) -> None:
        reader = _ChunkReader(self._chunks(records))
        self.cursor.copy_expert("COPY metrics_import_staging FROM STDIN", reader)
        if reader.error is not None:
            raise reader.error
        # Temporary tables are never analysed automatically; without it the plans are blind.
        self.cursor.execute("ANALYZE metrics_import_staging")

    @staticmethod
    def _chunks(records: Iterator[ParsedRow]) -> Iterator[bytes]:
        lines: list[str] = []
        append = lines.append
        escapes = pgcopy.TEXT_ESCAPES
        for row, series_id, start, end, value, note, num, den in records:
            if note:
                note = note.translate(escapes)
            if num is None:
                append(f"{row}\t{series_id}\t{start}\t{end}\t{value!r}\t{note}\t\\N\t\\N\n")
            else:
                append(f"{row}\t{series_id}\t{start}\t{end}\t{value!r}\t{note}\t{num!r}\t{den!r}\n")
            if len(lines) >= _BATCH_ROWS:
                yield "".join(lines).encode()
                lines.clear()
        if lines:
            yield "".join(lines).encode()

    def upsert(self, *, batch_id: int, now: dt.datetime, rows: int) -> Upserted:
        params = {"batch": batch_id, "now": now, **_PROVENANCE}
        # The changes to existing observations first, with their change rows; then the new
        # observations, by a plain INSERT (no per-row conflict handling: an upload that wrote
        # the same new rows meanwhile makes it fail with a unique violation, and the import
        # is run again, when those rows are updates).
        self.cursor.execute(_POSTGRES_UPDATE, params)
        existing, to_change, updated, updated_series = self.cursor.fetchone()
        if updated != to_change:
            raise WriteRace  # another writer changed some of these rows meanwhile
        if existing == rows:
            # Every staged row has its observation (staged keys are unique): nothing to create.
            return Upserted(0, updated, sorted(updated_series))
        try:
            if existing:
                self.cursor.execute(_POSTGRES_INSERT, params)
                created, created_series = self.cursor.fetchone()
            else:
                # None has (the usual first upload of a period): every staged row is new, so
                # no row need be looked for, nor returned to find its series.
                self.cursor.execute(_POSTGRES_INSERT_ALL, params)
                created = self.cursor.rowcount
                self.cursor.execute("SELECT DISTINCT series_id FROM metrics_import_staging")
                created_series = [series_id for (series_id,) in self.cursor.fetchall()]
        except IntegrityError as exc:
            if getattr(exc.__cause__, "pgcode", None) == _UNIQUE_VIOLATION:
                raise WriteRace from exc
            raise
        return Upserted(created, updated, sorted({*updated_series, *created_series}))


# Every staged row that has an observation already, with that observation as this statement
# read it, and whether the upload changes it (documented and unchanged observations are left
# as they are); the changed ones are updated, with a change row for each, its before and
# after. They are updated in the order the join reads the staged rows, the file's (sorting a
# million wide rows first costs more than the rest of the join): two uploads that change the
# same rows in different orders can deadlock, which PostgreSQL detects within a second, and
# the import runs again (services.CONFLICT_ATTEMPTS). No row is locked first: an observation
# another writer changed after this statement read it is a new row version, whose ``xmin``
# (PostgreSQL's id of the transaction that wrote the version, a documented system column) is
# not the one read, so it fails the UPDATE's test (PostgreSQL tests the row again as it now
# is), is neither written nor logged, and the count of those written falls short of the count
# of those to change, which sends the whole import round again (``WriteRace``): never two
# change rows for one change, and never a change logged against a stale before.
_POSTGRES_UPDATE = """
WITH prev AS MATERIALIZED (
    SELECT o.id, o.xmin AS version, o.value AS before_value, o.provenance AS before_provenance,
           s.period_end, s.value, s.note, s.numerator, s.denominator,
           o.provenance <> %(document)s
           AND (o.value IS DISTINCT FROM s.value
                OR o.provenance <> %(upload)s
                OR o.period_end <> s.period_end
                OR o.note <> s.note
                OR o.numerator IS DISTINCT FROM s.numerator
                OR o.denominator IS DISTINCT FROM s.denominator) AS changes
    FROM metrics_import_staging s
    JOIN metrics_observation o
      ON o.series_id = s.series_id AND o.period_start = s.period_start
),
up AS (
    UPDATE metrics_observation AS o SET
        period_end = prev.period_end,
        value = prev.value,
        numerator = prev.numerator,
        denominator = prev.denominator,
        provenance = %(upload)s,
        batch_id = %(batch)s,
        as_written = '',
        note = prev.note,
        also_sources = '[]'::jsonb,
        modified_at = %(now)s,
        source_document_id = NULL,
        source_line = NULL
    FROM prev
    -- Still the version read: another writer's change meanwhile made a new one.
    WHERE o.id = prev.id AND prev.changes AND o.xmin = prev.version
    RETURNING o.series_id, o.period_start, prev.before_value, prev.before_provenance, o.value
),
changes AS (
    INSERT INTO metrics_observationchange (
        batch_id, series_id, period_start, before_value, before_provenance, after_value,
        changed_at
    )
    SELECT %(batch)s, series_id, period_start, before_value, before_provenance, value, %(now)s
    FROM up
),
counted AS (
    SELECT COUNT(*) AS existing, COUNT(*) FILTER (WHERE changes) AS to_change FROM prev
)
SELECT existing, to_change, (SELECT COUNT(*) FROM up), ARRAY(SELECT DISTINCT series_id FROM up)
FROM counted
"""

# The rows no observation has yet, in key order (see above); a created observation is its own
# record, so no change row.
_POSTGRES_INSERT = """
WITH ins AS (
    INSERT INTO metrics_observation (
        series_id, period_start, period_end, value, provenance, batch_id, as_written, note,
        also_sources, modified_at, source_document_id, source_line, numerator, denominator
    )
    SELECT series_id, period_start, period_end, value, %(upload)s, %(batch)s, '', note,
           '[]'::jsonb, %(now)s, NULL, NULL, numerator, denominator
    FROM metrics_import_staging s
    WHERE NOT EXISTS (
        SELECT 1 FROM metrics_observation o
        WHERE o.series_id = s.series_id AND o.period_start = s.period_start
    )
    ORDER BY series_id, period_start
    RETURNING series_id
)
SELECT COUNT(*), ARRAY(SELECT DISTINCT series_id FROM ins) FROM ins
"""

# Every staged row, when none has an observation yet.
_POSTGRES_INSERT_ALL = """
INSERT INTO metrics_observation (
    series_id, period_start, period_end, value, provenance, batch_id, as_written, note,
    also_sources, modified_at, source_document_id, source_line, numerator, denominator
)
SELECT series_id, period_start, period_end, value, %(upload)s, %(batch)s, '', note,
       '[]'::jsonb, %(now)s, NULL, NULL, numerator, denominator
FROM metrics_import_staging
ORDER BY series_id, period_start
"""

_UNIQUE_VIOLATION = "23505"


class WriteRace(Exception):
    """Another writer created or changed some of the same observations meanwhile: run the
    import again."""


_GENERIC_NEW = """
SELECT COUNT(*) FROM metrics_import_staging s
WHERE NOT EXISTS (
    SELECT 1 FROM metrics_observation o
    WHERE o.series_id = s.series_id AND o.period_start = s.period_start
)
"""

_GENERIC_CHANGES = """
INSERT INTO metrics_observationchange (
    batch_id, series_id, period_start, before_value, before_provenance, after_value, changed_at
)
SELECT %(batch)s, s.series_id, s.period_start, o.value, o.provenance, s.value, %(now)s
FROM metrics_import_staging s
JOIN metrics_observation o
  ON o.series_id = s.series_id AND o.period_start = s.period_start
WHERE o.provenance <> %(document)s
  AND (o.value <> s.value
       OR o.provenance <> %(upload)s
       OR o.period_end <> s.period_end
       OR o.note <> s.note
       OR o.numerator IS DISTINCT FROM s.numerator
       OR o.denominator IS DISTINCT FROM s.denominator)
"""

_GENERIC_UPSERT = """
INSERT INTO metrics_observation AS o (
    series_id, period_start, period_end, value, provenance, batch_id, as_written, note,
    also_sources, modified_at, source_document_id, source_line, numerator, denominator
)
SELECT series_id, period_start, period_end, value, %(upload)s, %(batch)s, '', note, '[]',
       %(now)s, NULL, NULL, numerator, denominator
FROM metrics_import_staging
WHERE 1 = 1
ORDER BY series_id, period_start
ON CONFLICT (series_id, period_start) DO UPDATE SET
    period_end = excluded.period_end,
    value = excluded.value,
    numerator = excluded.numerator,
    denominator = excluded.denominator,
    provenance = excluded.provenance,
    batch_id = excluded.batch_id,
    as_written = excluded.as_written,
    note = excluded.note,
    also_sources = excluded.also_sources,
    modified_at = excluded.modified_at,
    source_document_id = NULL,
    source_line = NULL
WHERE o.provenance <> %(document)s
  AND (o.value <> excluded.value
       OR o.provenance <> excluded.provenance
       OR o.period_end <> excluded.period_end
       OR o.note <> excluded.note
       OR o.numerator IS DISTINCT FROM excluded.numerator
       OR o.denominator IS DISTINCT FROM excluded.denominator)
"""

_DUPLICATES = """
SELECT s.upload_row, d.first_row, COUNT(*) OVER ()
FROM metrics_import_staging s
JOIN (
    SELECT series_id, period_start, MIN(upload_row) AS first_row
    FROM metrics_import_staging
    GROUP BY series_id, period_start
    HAVING COUNT(*) > 1
) d ON d.series_id = s.series_id AND d.period_start = s.period_start
WHERE s.upload_row <> d.first_row
ORDER BY s.upload_row
LIMIT %(limit)s
"""

_DOCUMENTED = """
SELECT s.upload_row, s.value, o.value, d.short_title, o.source_line, COUNT(*) OVER ()
FROM metrics_import_staging s
JOIN metrics_observation o
  ON o.series_id = s.series_id AND o.period_start = s.period_start
LEFT JOIN places_document d ON d.id = o.source_document_id
WHERE o.provenance = %(document)s AND o.value <> s.value
ORDER BY s.upload_row
LIMIT %(limit)s
"""

_PROVENANCE = {"upload": Provenance.UPLOAD.value, "document": Provenance.DOCUMENT.value}


def staging_writer(cursor) -> GenericWriter:
    """COPY and one upsert statement on PostgreSQL (psycopg2); portable SQL elsewhere."""
    raw = getattr(cursor, "cursor", cursor)
    if connection.vendor == "postgresql" and hasattr(raw, "copy_expert"):
        return PostgresWriter(cursor)
    return GenericWriter(cursor)


def staged_conflicts_report(cursor, errors: ErrorCollector) -> None:
    """Report duplicate series-periods and rows that would change a documented value."""
    cursor.execute(_DUPLICATES, {"limit": MAX_ERRORS})
    found = cursor.fetchall()
    for row, first_row, _total in found:
        errors.merge(row, "period", f"the same metric, subject and period as row {first_row}")
    if found:
        errors.count_unlisted(found[0][2] - len(found))
    cursor.execute(_DOCUMENTED, {"limit": MAX_ERRORS, **_PROVENANCE})
    found = cursor.fetchall()
    for row, new, old, title, line, _total in found:
        where = f"{title}, line {line}" if line else title
        errors.merge(
            row,
            "value",
            f"{number_text(new)} would replace {number_text(old)}, which is documented in {where}; "
            "not replaced",
        )
    if found:
        errors.count_unlisted(found[0][5] - len(found))
