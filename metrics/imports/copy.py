"""The fast path for CSV uploads on PostgreSQL: read the file once, COPY its typed rows.

``observations_import`` (services) tries this first for a CSV file on PostgreSQL, inside a
savepoint. The file is read in blocks of whole lines and each line is split at its commas;
each distinct metric/subject and each distinct period (a few thousand at most) is resolved the
first time it is met, by the row-by-row validator's own methods (which hold what they need in
memory, so no query runs while COPY does), and each value is read by Python's ``float`` as the
row-by-row path reads it: a name, a period or a number means the same on both paths. The typed
rows go straight into the staging table by COPY, which PostgreSQL writes (with its unique
index, which stops at a series and period given twice) while this process reads the next
block; one query then looks for a change to a documented value.

It never reports an error itself. Whenever anything is not plainly clean — a double quote
anywhere (Python's CSV reader gives quotes meaning), a NUL byte, text that is not UTF-8, a
carriage return outside a CRLF line end, a line of the wrong width or longer than the budget
allows, a name or period that does not resolve, a value that is not a finite number within its
metric's limits, a proportion or a rate, a duplicate, a change to a documented value — it
raises ``NotClean``; the savepoint is rolled back and the row-by-row path reads the file again
and names every row and column at fault. A clean file gives the same rows either way.
"""

from __future__ import annotations

import codecs
import sys
from typing import BinaryIO, NamedTuple

import psycopg2

from ..choices import Provenance
from .budget import Budget, BudgetExceeded
from .errors import ErrorCollector
from .readers import Layout, header_layout, line_count
from .validation import Ambiguous, PeriodProblem, Validator

# What Python's str.strip() removes that is ASCII; a note with anything else at either end
# goes the row-by-row way (whose strip() knows the rest of Unicode's spaces).
_ASCII_SPACE = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
_READ_SIZE = 1 << 20
# The largest finite doubles: infinities and NaN fall outside [_LOWEST, _HIGHEST].
_HIGHEST = sys.float_info.max
_LOWEST = -_HIGHEST


# The end of a staged row after its value: an empty note, no numerator, no denominator.
_NO_FRACTION = b"\t\\N\t\\N\n"
_NO_NOTE = b"\t" + _NO_FRACTION


class NotClean(Exception):
    """The upload needs the row-by-row path, for its messages or for its rules."""


class _Pair(NamedTuple):
    """A metric and subject met in the upload: its staged row's opening cells (upload row and
    series), the metric's frequency, and the lowest and highest value it accepts."""

    opening: bytes
    frequency: str
    lowest: float
    highest: float


class _Period(NamedTuple):
    """A period met in the upload: its frequency and its staged start and end cells."""

    frequency: str
    cells: bytes


class _TypedRows:
    """A read()-able file for COPY: the upload's data lines, checked and typed, a block at a
    time. What stopped it (NotClean, or the budget's refusal) is kept in ``error`` for the
    caller to raise after COPY, which would hide it."""

    def __init__(self, stream: BinaryIO, layout: Layout, width: int, validator, budget):
        self.stream = stream
        self.pick = layout.pick
        self.width = width
        self.validator = validator
        self.budget = budget
        self.rows = 0
        self.carry = b""
        self.done = False
        self.error: NotClean | BudgetExceeded | None = None
        self.pairs: dict[tuple[bytes, bytes, bytes], _Pair] = {}
        self.periods: dict[bytes, _Period] = {}
        # The template's five columns in its order (what a large upload has): each pair is
        # found by its three cells as written, one key, without splitting the whole line.
        self.in_order = (
            not layout.has_note and width == 5 and layout.pick(range(5)) == (0, 1, 2, 3, 4)
        )
        self.pairs_written: dict[bytes, _Pair] = {}

    def read(self, size: int = -1) -> bytes:
        if self.done:
            return b""
        try:
            return self._next_block()
        except (NotClean, BudgetExceeded) as exc:
            self.error, self.done = exc, True
            return b""

    def _next_block(self) -> bytes:
        """The typed rows of the next whole lines; b"" at the end of the file."""
        while True:
            chunk = self.stream.read(_READ_SIZE)
            if not chunk:
                self.done = True
                # The last line, without its newline (a carriage return there ends no line).
                last, self.carry = self.carry, b""
                if last.endswith(b"\r"):
                    raise NotClean
                return self._typed(last + b"\n") if last else b""
            cut = chunk.rfind(b"\n") + 1
            if cut:
                block, self.carry = self.carry + chunk[:cut], chunk[cut:]
            else:
                block, self.carry = b"", self.carry + chunk
            if len(self.carry) > self.budget.max_line:
                raise NotClean  # the row-by-row path refuses the line by its number
            if block:
                return self._typed(block)

    def _typed(self, block: bytes) -> bytes:
        """COPY text lines for a block of whole lines (each ending with a newline)."""
        if b'"' in block or b"\x00" in block:
            raise NotClean
        if b"\r" in block:
            block = block.replace(b"\r\n", b"\n")
            if b"\r" in block:
                raise NotClean
        try:
            block.decode("utf-8")
        except UnicodeDecodeError:
            raise NotClean from None
        lines = block.split(b"\n")
        lines.pop()
        if max(map(len, lines)) > self.budget.max_line:
            raise NotClean
        typed = self._in_order(lines) if self.in_order else self._any_layout(lines)
        self.rows += len(lines)
        self.budget.tick(self.rows)
        return typed

    def _in_order(self, lines: list[bytes]) -> bytes:
        """The typed rows of lines of the template's five columns in its order."""
        out: list[bytes] = []
        extend = out.extend
        pairs, periods = self.pairs_written, self.periods
        for line in lines:
            head, _, value = line.rpartition(b",")
            written, _, period = head.rpartition(b",")
            # A line of another width has a pair that does not split into three: not found.
            pair = pairs.get(written) or self._pair_written(written)
            dates = periods.get(period) or self._period(period)
            extend((pair.opening, dates.cells, _value_cell(value, pair, dates), _NO_NOTE))
        return b"".join(out)

    def _pair_written(self, written: bytes) -> _Pair:
        """The pair of a line's first three cells, as written, met for the first time."""
        cells = written.split(b",")
        if len(cells) != 3:
            raise NotClean
        pair = self.pairs_written[written] = self._pair(*cells)
        return pair

    def _any_layout(self, lines: list[bytes]) -> bytes:
        """The typed rows of lines in any other layout: the columns in another order, or with
        a note (trimmed as the row-by-row path trims it)."""
        out: list[bytes] = []
        extend = out.extend
        pick, width, pairs, periods = self.pick, self.width, self.pairs, self.periods
        for line in lines:
            cells = line.split(b",")
            if len(cells) != width:
                raise NotClean
            metric, kind, subject, period, value, *note = pick(cells)
            pair = pairs.get((metric, kind, subject)) or self._pair(metric, kind, subject)
            dates = periods.get(period) or self._period(period)
            value = _value_cell(value, pair, dates)
            note_cell = _note_cell(note[0]) if note else b""
            extend((pair.opening, dates.cells, value, b"\t", note_cell, _NO_FRACTION))
        return b"".join(out)

    def _pair(self, metric: bytes, kind: bytes, subject: bytes) -> _Pair:
        """A metric and subject met for the first time, resolved as the row-by-row path does."""
        validator = self.validator
        info = validator.metric(metric.decode())
        kind_found = validator.kind(kind.decode())
        # A proportion or a rate needs its numerator and denominator: the row-by-row path
        # says so, row by row.
        if info is None or kind_found is None or info.fraction:
            raise NotClean
        subject_id = validator.subject(kind_found, subject.decode())
        if subject_id is None or isinstance(subject_id, Ambiguous):
            raise NotClean
        series_id = validator.series_for(info, kind_found, subject_id)
        pair = self.pairs[metric, kind, subject] = _Pair(
            b"0\t%d\t" % series_id,
            info.frequency,
            _LOWEST if info.minimum is None else max(info.minimum, _LOWEST),
            _HIGHEST if info.maximum is None else min(info.maximum, _HIGHEST),
        )
        return pair

    def _period(self, period: bytes) -> _Period:
        """A period met for the first time, read as the row-by-row path reads it."""
        parsed = self.validator.period(period.decode())
        if isinstance(parsed, PeriodProblem):
            raise NotClean
        found = self.periods[period] = _Period(
            parsed.frequency, f"{parsed.start}\t{parsed.end}\t".encode()
        )
        return found


def _value_cell(value: bytes, pair: _Pair, dates: _Period) -> bytes:
    """The value as a COPY cell, if it is a plain finite number within the metric's limits
    and the period has the metric's frequency.

    Python's float() reads it, as the row-by-row path does, and the cell goes to PostgreSQL as
    written (trimmed): both read a decimal number to the same, nearest, double. What float()
    accepts beyond that is refused here (digit separators) or by the limits (infinities and
    NaN lie outside every metric's), or by PostgreSQL (a value too small for a double, which
    float() reads as 0), and the row-by-row path reads the file.
    """
    try:
        number = float(value)
    except ValueError:
        raise NotClean from None
    if not pair.lowest <= number <= pair.highest or dates.frequency != pair.frequency:
        raise NotClean
    if b"_" in value:
        raise NotClean
    return value.strip()


def _note_cell(note: bytes) -> bytes:
    """The note as a COPY cell, trimmed, if both its ends are ASCII (else the row-by-row path
    trims it, whose strip() knows the rest of Unicode's spaces)."""
    note = note.strip(_ASCII_SPACE)
    if note and (note[0] > 127 or note[-1] > 127):
        raise NotClean
    return note.replace(b"\\", b"\\\\").replace(b"\t", b"\\t")


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
    layout = header_layout(header, ErrorCollector())
    if layout is None or layout.has_fraction:
        raise NotClean
    budget.total = line_count(stream) - 1
    stream.readline()  # the header, read above
    rows = _TypedRows(stream, layout, len(header), validator, budget)
    raw = cursor.cursor
    # A series and period given twice stops COPY (the row-by-row path names both rows). The
    # index is kept up as COPY writes, while this process reads on; the upsert reads by it too.
    raw.execute(
        "CREATE UNIQUE INDEX metrics_import_staging_key "
        "ON metrics_import_staging (series_id, period_start)"
    )
    try:
        raw.copy_expert("COPY metrics_import_staging FROM STDIN", rows, size=_READ_SIZE)
    except psycopg2.errors.QueryCanceled:
        raise  # out of time: the import is refused, not read again
    except psycopg2.Error as exc:
        # A series and period given twice, or a row PostgreSQL reads otherwise than this
        # reader did (a value too small for a double): the row-by-row path decides; unless
        # the reader had already been stopped by the budget.
        raise (rows.error or NotClean()) from exc
    if rows.error is not None:
        raise rows.error
    if not rows.rows:
        raise NotClean
    validator.rows = rows.rows
    _check_staged(raw)
    return layout.has_note


def _check_staged(raw) -> None:
    """Raise NotClean if the staged rows would change a documented value: the row-by-row
    path names the rows."""
    # Temporary tables are never analysed automatically; without it the plans are blind.
    raw.execute("ANALYZE metrics_import_staging")
    # The documented observations are few (a partial index holds them): read them once and
    # hash them, rather than probe that index once for every staged row.
    raw.execute(
        "WITH documented AS MATERIALIZED (SELECT series_id, period_start, value "
        "FROM metrics_observation WHERE provenance = %(document)s) "
        "SELECT EXISTS (SELECT 1 FROM metrics_import_staging s "
        "JOIN documented o ON o.series_id = s.series_id AND o.period_start = s.period_start "
        "WHERE o.value <> s.value)",
        {"document": Provenance.DOCUMENT.value},
    )
    if raw.fetchone()[0]:
        raise NotClean
