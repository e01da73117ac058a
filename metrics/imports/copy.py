"""The fast path for CSV uploads on PostgreSQL: COPY the file, check it in SQL, upsert.

``observations_import`` (services) tries this first for a CSV file on PostgreSQL, inside a
savepoint. PostgreSQL's ``COPY ... (FORMAT csv)`` parses the file into a temporary table of text
columns; the distinct metric/subject pairs and the distinct periods (a few thousand at most)
are resolved in Python by the row-by-row validator's own methods, so a name or a period means
the same on both paths; one aggregate query then checks every value, frequency and limit, and
the rows go to the same staging table, checks and upsert as the row-by-row path.

It never reports an error itself. Whenever anything is not plainly clean — a byte COPY
refuses, a double quote anywhere (Python's and PostgreSQL's CSV dialects differ on quotes in
the middle of a cell), a name or period that does not resolve, a value that is not a plain
decimal number, a limit crossed, a duplicate, a change to a documented value — it raises
``NotClean``; the savepoint is rolled back and the row-by-row path reads the file again and
names every row and column at fault. A clean file gives the same rows either way.
"""

from __future__ import annotations

import codecs
from typing import BinaryIO

import psycopg2

from icsportal import pgcopy

from ..choices import Provenance
from .budget import Budget, BudgetExceeded
from .errors import ErrorCollector
from .readers import header_layout, line_count
from .validation import Ambiguous, PeriodProblem, Validator

# Whitespace Python's str.strip() removes that is ASCII; a note with anything else at either
# end goes the row-by-row way.
_ASCII_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
# A value of only these characters is a decimal number that Python's float() and
# PostgreSQL's float8 read alike, or text both refuse (the cast fails and the row-by-row path
# says why); "inf", "nan", hexadecimal and digit separators never pass.
_NUMBER_CHARACTERS = "0123456789.eE+- "
_READ_SIZE = 1 << 20


class NotClean(Exception):
    """The upload needs the row-by-row path, for its messages or for its rules."""


class _Scanned:
    """A read()-able view of the upload for COPY that stops at anything it cannot vouch for.

    It stops (and says so in ``odd``) at a double quote, a NUL byte or text that is not UTF-8,
    and counts the lines, so that the caller can check COPY read one row per line.
    """

    def __init__(self, stream: BinaryIO, budget: Budget):
        self.stream = stream
        self.budget = budget
        self.since_newline = 0
        # The budget's refusal, raised by the caller after COPY (psycopg2 would hide it).
        self.error: BudgetExceeded | None = None
        self.odd = False
        self.lines = 0
        self.last = b"\n"
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def read(self, size: int = -1) -> bytes:
        if self.odd:
            return b""
        chunk = self.stream.read(_READ_SIZE)
        if not chunk:
            try:
                self.decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.odd = True
            # A carriage return that ends the file ends no line.
            self.odd = self.odd or self.last == b"\r"
            return b""
        try:
            self.decoder.decode(chunk)
        except UnicodeDecodeError:
            self.odd = True
        # A carriage return only as part of CRLF, which may straddle two reads: the previous
        # read's last byte opens this one, and a CR that closes it waits for the next.
        window = self.last + chunk
        if window.endswith(b"\r"):
            window = window[:-1]
        if self.odd or b'"' in chunk or b"\x00" in chunk or b"\r" in window.replace(b"\r\n", b""):
            self.odd = True
            return b""
        # A line longer than the budget allows: the row-by-row path refuses it by its number.
        parts = chunk.split(b"\n")
        if len(parts) == 1:
            self.since_newline += len(chunk)
        else:
            longest = max(self.since_newline + len(parts[0]), *map(len, parts[1:-1]), 0)
            self.since_newline = len(parts[-1])
            self.odd = longest > self.budget.max_line
        if self.odd or self.since_newline > self.budget.max_line:
            self.odd = True
            return b""
        self.lines += len(parts) - 1
        self.last = chunk[-1:]
        try:
            self.budget.tick(self.lines)
        except BudgetExceeded as exc:
            self.error, self.odd = exc, True
            return b""
        return chunk

    @property
    def records(self) -> int:
        """The data rows: every line after the header, the last one even without a newline."""
        return self.lines + (self.last != b"\n") - 1


def _header(stream: BinaryIO) -> list[str] | None:
    """The header's cells, if the first line is plain UTF-8 without quotes."""
    first = stream.readline(65536)
    stream.seek(0)
    if not first.endswith(b"\n") or b'"' in first:
        return None
    try:
        line = first.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return line.rstrip("\r\n").split(",")


def copy_stage(stream: BinaryIO, cursor, validator: Validator, budget: Budget) -> bool:
    """Fill ``metrics_import_staging`` from a clean CSV; raise NotClean otherwise. Returns
    whether the file has a note column (without one, every staged note is empty).

    The header is checked as the row-by-row path checks it (``readers.header_layout``).
    """
    header = _header(stream)
    if header is None or not header[-1].strip():
        raise NotClean
    found = header_layout(header, ErrorCollector())
    if found is None or found.has_fraction:
        raise NotClean
    indexes = found.pick(range(len(header)))
    raw = cursor.cursor
    columns = ", ".join(f"c{i} text" for i in range(len(header)))
    raw.execute(f"CREATE TEMP TABLE metrics_import_raw ({columns})")
    names = ", ".join(f"c{i}" for i in range(len(header)))
    budget.total = line_count(stream) - 1
    scanned = _Scanned(stream, budget)
    try:
        raw.copy_expert(
            "COPY metrics_import_raw FROM STDIN WITH "
            f"(FORMAT csv, HEADER true, ENCODING 'UTF8', FORCE_NOT_NULL ({names}))",
            scanned,
            size=_READ_SIZE,
        )
    except psycopg2.errors.QueryCanceled:
        raise  # out of time: the import is refused, not read again
    except psycopg2.Error as exc:
        raise NotClean from exc
    if scanned.error is not None:
        raise scanned.error
    if scanned.odd:
        raise NotClean
    # Temporary tables are never analysed automatically; the joins below need the statistics.
    raw.execute("ANALYZE metrics_import_raw")
    metric, kind, subject, period, value, *rest = (f"r.c{i}" for i in indexes)
    note = rest[0] if found.has_note else None

    # The distinct names and periods, resolved by the validator's own rules.
    # The column names are c0, c1, ... made here; nothing from the upload is in the SQL.
    pair = f"{metric}, {kind}, {subject}"
    raw.execute(
        f"SELECT GROUPING({period}), {pair}, {period}, COUNT(*) FROM metrics_import_raw r "  # noqa: S608 # nosec B608
        f"GROUP BY GROUPING SETS (({pair}), ({period}))"
    )
    pairs, periods, rows = [], [], 0
    for is_pair, metric_text, kind_text, subject_text, period_text, count in raw.fetchall():
        if is_pair:
            rows += count
            info = validator.metric(metric_text)
            kind_found = validator.kind(kind_text)
            # A proportion or a rate needs its numerator and denominator: the row-by-row path
            # says so, row by row.
            if info is None or kind_found is None or info.fraction:
                raise NotClean
            subject_id = validator.subject(kind_found, subject_text)
            if subject_id is None or isinstance(subject_id, Ambiguous):
                raise NotClean
            series_id = validator.series_for(info, kind_found, subject_id)
            pairs.append((metric_text, kind_text, subject_text, series_id, info))
        else:
            parsed = validator.period(period_text)
            if isinstance(parsed, PeriodProblem):
                raise NotClean
            periods.append((period_text, parsed.frequency, parsed.start, parsed.end))
    # COPY ends the data at a line holding only a backslash and a full stop: count the rows.
    if not rows or rows != scanned.records:
        raise NotClean
    validator.rows = rows

    raw.execute(
        "CREATE TEMP TABLE metrics_import_pairs (metric text, kind text, subject text, "
        "series_id bigint, frequency text, minimum double precision, "
        "maximum double precision)"
    )
    raw.copy_expert(
        "COPY metrics_import_pairs FROM STDIN",
        pgcopy.TextLines(
            (m, k, s, series_id, info.frequency, info.minimum, info.maximum)
            for m, k, s, series_id, info in pairs
        ),
    )
    raw.execute(
        "CREATE TEMP TABLE metrics_import_periods (period text, frequency text, "
        "period_start date, period_end date)"
    )
    raw.copy_expert("COPY metrics_import_periods FROM STDIN", pgcopy.TextLines(iter(periods)))
    raw.execute("ANALYZE metrics_import_pairs; ANALYZE metrics_import_periods")

    joined = (
        "FROM metrics_import_raw r "
        f"JOIN metrics_import_pairs p ON p.metric = {metric} AND p.kind = {kind} "
        f"AND p.subject = {subject} "
        f"JOIN metrics_import_periods d ON d.period = {period}"
    )
    number = (
        f"CASE WHEN {value} <> '' AND translate({value}, %(number)s, '') = '' "
        f"THEN {value}::double precision END"
    )
    note_sql = f"btrim({note}, %(space)s)" if note else "''"
    plain_note = (
        f"AND ascii(left({note_sql}, 1)) < 128 AND ascii(right({note_sql}, 1)) < 128"
        if note
        else ""
    )
    # One pass: stage every row that is plainly good; if any is not, the counts differ.
    try:
        raw.execute(
            "INSERT INTO metrics_import_staging "
            "(upload_row, series_id, period_start, period_end, value, note) "
            f"SELECT 0, p.series_id, d.period_start, d.period_end, v.n, {note_sql} "
            f"{joined} CROSS JOIN LATERAL (SELECT {number} AS n) v "
            "WHERE p.frequency = d.frequency AND v.n IS NOT NULL "
            "AND v.n >= COALESCE(p.minimum, '-Infinity') "
            f"AND v.n <= COALESCE(p.maximum, 'Infinity') {plain_note}",
            {"number": _NUMBER_CHARACTERS, "space": _ASCII_SPACE},
        )
    except psycopg2.errors.QueryCanceled:
        raise
    except psycopg2.Error as exc:
        # Not a number after all ("1-2"), or beyond the range of a double: the row-by-row
        # path says which row.
        raise NotClean from exc
    if raw.rowcount != rows:
        raise NotClean
    raw.execute("DROP TABLE metrics_import_raw, metrics_import_pairs, metrics_import_periods")
    raw.execute("ANALYZE metrics_import_staging")
    # The same series and period twice, or a change to a documented value: the row-by-row
    # path names the rows.
    # The documented observations are few (a partial index holds them): read them once and
    # hash them, rather than probe that index once for every staged row.
    raw.execute(
        "WITH documented AS MATERIALIZED (SELECT series_id, period_start, value "
        "FROM metrics_observation WHERE provenance = %(document)s) "
        "SELECT EXISTS (SELECT 1 FROM metrics_import_staging GROUP BY series_id, period_start "
        "HAVING COUNT(*) > 1) OR EXISTS (SELECT 1 FROM metrics_import_staging s "
        "JOIN documented o ON o.series_id = s.series_id AND o.period_start = s.period_start "
        "WHERE o.value <> s.value)",
        {"document": Provenance.DOCUMENT.value},
    )
    if raw.fetchone()[0]:
        raise NotClean
    return found.has_note
