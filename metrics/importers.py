"""Importing observations from an upload (CSV, XLSX or the API's rows), all or nothing.

An upload has the columns ``metric, subject_type, subject, period, value`` and optionally
``note``. Rows are numbered as a spreadsheet shows them: the header is row 1 and the first data
row is row 2 (rows given as a list of dicts from the API are numbered the same way: item 0 is
row 2). Every error names its row and column; an upload with any error writes nothing.
"""

from __future__ import annotations

import calendar
import codecs
import csv
import datetime as dt
import difflib
import math
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple
from xml.etree.ElementTree import ParseError

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from governance.models import Organisation
from places.models import Place, System

from .choices import Frequency, Provenance, SubjectType
from .models import ImportBatch, Metric, Series

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

COLUMNS = ("metric", "subject_type", "subject", "period", "value")
OPTIONAL_COLUMNS = ("note",)
MAX_ERRORS = 100

_EMPTY_FILE = (
    "The file is empty: it needs a header row (metric, subject_type, subject, period, value "
    "and optionally note) and at least one data row."
)
_NO_DATA = "The file has a header but no data rows."
_SAVE_AS_UTF8 = "save it as 'CSV UTF-8' (or as an Excel workbook, .xlsx) and upload it again"
_DELIMITERS = ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars"))


# Results and errors


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


class ImportFailed(ValidationError):
    """An upload refused as a whole; ``errors`` are ``{"row", "column", "message"}`` dicts.

    ``row`` is the spreadsheet row (header 1, first data row 2) or None for the whole file;
    ``column`` the column's name or None. At most MAX_ERRORS are kept; ``total`` counts all.
    """

    def __init__(self, errors: list[dict[str, Any]], *, total: int | None = None):
        self.errors = errors
        self.total = len(errors) if total is None else total
        messages = [error_text(e) for e in errors]
        if self.total > len(errors):
            messages.append(f"… and {self.total - len(errors)} more errors.")
        super().__init__(messages)


def error_text(error: Mapping[str, Any]) -> str:
    """One error as a line a person reads: 'Row 3, column value: …'."""
    row, column, message = error["row"], error["column"], error["message"]
    if row is None:
        return message
    where = f"Row {row}" + (" (the header)" if row == 1 else "")
    return f"{where}, column {column}: {message}" if column else f"{where}: {message}"


class _Errors:
    """The errors found so far: the first MAX_ERRORS in full, and a count of all."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.total = 0

    @property
    def full(self) -> bool:
        return len(self.items) >= MAX_ERRORS

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.total += 1
        if not self.full:
            self.items.append({"row": row, "column": column, "message": message})

    def merge(self, row: int, column: str | None, message: str) -> None:
        """Add an error found after the pass, in row order among the others."""
        self.total += 1
        self.items.append({"row": row, "column": column, "message": message})

    def failure(self) -> ImportFailed:
        items = sorted(self.items, key=lambda e: (e["row"] or 0, COLUMNS_ORDER.get(e["column"], 9)))
        return ImportFailed(items[:MAX_ERRORS], total=self.total)


COLUMNS_ORDER = {None: -1, **{name: i for i, name in enumerate(COLUMNS + OPTIONAL_COLUMNS)}}


# Periods


class Period(NamedTuple):
    """A period as an upload writes it, with the frequency its form implies."""

    frequency: str
    start: dt.date
    end: dt.date


_MONTH = re.compile(r"(\d{4})-(\d{2})")
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_FINANCIAL_YEAR = re.compile(r"(\d{4})/(\d{2})")
_FORMS = (
    "use YYYY-MM for a month, YYYY/YY for a financial year (e.g. 2019/20) "
    "or YYYY-MM-DD for a point in time"
)


def period_parse(text: str) -> Period:
    """The period written as YYYY-MM, YYYY/YY (April to March) or YYYY-MM-DD; ValueError if not."""
    text = text.strip()
    if m := _MONTH.fullmatch(text):
        year, month = int(m[1]), int(m[2])
        _check_year(text, year)
        if not 1 <= month <= 12:
            raise ValueError(f"{text!r} is not a month: the month must be 01 to 12")
        last = calendar.monthrange(year, month)[1]
        return Period(Frequency.MONTHLY, dt.date(year, month, 1), dt.date(year, month, last))
    if m := _FINANCIAL_YEAR.fullmatch(text):
        year = int(m[1])
        _check_year(text, year)
        if int(m[2]) != (year + 1) % 100:
            raise ValueError(
                f"{text!r} is not a financial year: write {year}/{(year + 1) % 100:02d} "
                f"for April {year} to March {year + 1}"
            )
        return Period(Frequency.ANNUAL, dt.date(year, 4, 1), dt.date(year + 1, 3, 31))
    if m := _DAY.fullmatch(text):
        year = int(m[1])
        _check_year(text, year)
        try:
            day = dt.date(year, int(m[2]), int(m[3]))
        except ValueError:
            raise ValueError(f"{text!r} is not a date") from None
        return Period(Frequency.POINT_IN_TIME, day, day)
    raise ValueError(f"{text!r} is not a period: {_FORMS}")


def _check_year(text: str, year: int) -> None:
    if not 1900 <= year <= 2199:
        raise ValueError(f"{text!r}: the year {year} is outside 1900 to 2199")


_FREQUENCY_NEEDS = {
    Frequency.MONTHLY: "a monthly metric: give the month as YYYY-MM (e.g. 2019-04)",
    Frequency.ANNUAL: "an annual metric: give the financial year as YYYY/YY (e.g. 2019/20)",
    Frequency.POINT_IN_TIME: (
        "measured at a point in time: give the date as YYYY-MM-DD (e.g. 2019-08-31)"
    ),
}


# Reading uploads: each source yields (row, metric, subject_type, subject, period, value, note)


def _letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _layout(header: list[str], errors: _Errors) -> tuple[itemgetter, bool] | None:
    """Where each column is in the header, or None after reporting why the header is unusable."""
    names = [str(cell).strip().lower() if cell is not None else "" for cell in header]
    if len(names) == 1 and names[0] not in COLUMNS:
        for delimiter, label in _DELIMITERS:
            if delimiter in names[0]:
                errors.add(
                    1,
                    None,
                    f"the header is one column, {header[0]!r}: the file seems to be separated by "
                    f"{label} ({delimiter!r}), not commas; save it as CSV (comma delimited)",
                )
                return None
    known = COLUMNS + OPTIONAL_COLUMNS
    seen: dict[str, int] = {}
    bad = False
    for i, name in enumerate(names):
        if not name:
            errors.add(1, None, f"column {_letter(i)} has no name")
            bad = True
        elif name in seen:
            errors.add(
                1,
                name,
                f"the column {name!r} appears twice (columns {_letter(seen[name])} "
                f"and {_letter(i)})",
            )
            bad = True
        elif name not in known:
            hint = difflib.get_close_matches(name, known, n=1)
            errors.add(
                1,
                name,
                f"unknown column {name!r}"
                + (f" (did you mean {hint[0]!r}?)" if hint else "")
                + "; the columns are metric, subject_type, subject, period, value "
                "and optionally note",
            )
            bad = True
        else:
            seen[name] = i
    for name in COLUMNS:
        if name not in seen:
            errors.add(1, name, f"the column {name!r} is missing")
            bad = True
    if bad:
        return None
    has_note = "note" in seen
    return itemgetter(
        *(seen[n] for n in COLUMNS + (OPTIONAL_COLUMNS if has_note else ()))
    ), has_note


class _Utf8Lines:
    """The lines of a binary stream as text, noting the first byte of a line that is not UTF-8."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.bad: bytes | None = None

    def __iter__(self) -> Iterator[str]:
        first = True
        for raw in self.stream:
            if first:
                first = False
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if b"\x00" in raw:
                self.bad = b"\x00"
                yield raw.replace(b"\x00", b"").decode("utf-8", "replace")
                continue
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                if self.bad is None:
                    self.bad = raw[exc.start : exc.start + 1]
                yield raw.decode("utf-8", "replace")


def _not_utf8(byte: bytes, cells: list[str]) -> str:
    if byte == b"\x00":
        return "the row contains NUL bytes (is the file UTF-16?); " + _SAVE_AS_UTF8
    shown = next((c for c in cells if "\ufffd" in c), "")
    sample = shown.encode("utf-8", "replace").replace("\ufffd".encode(), byte)
    guess = sample.decode("cp1252", "replace").strip()
    return (
        f"the text is not UTF-8 (byte 0x{byte.hex().upper()}"
        + (f" in {guess!r}" if guess else "")
        + "): the file looks like Latin-1 or Windows-1252; "
        + _SAVE_AS_UTF8
    )


def _csv_rows(stream: BinaryIO, errors: _Errors) -> Iterator[tuple]:
    lines = _Utf8Lines(stream)
    reader = csv.reader(lines)
    row = 0
    try:
        header = next(reader, None)
        row = 1
        if header is None or not any(c.strip() for c in header):
            if any(any(c.strip() for c in cells) for cells in reader):
                errors.add(1, None, "the row is empty; the header must be the first row")
            else:
                errors.add(None, None, _EMPTY_FILE)
            return
        if lines.bad is not None:
            errors.add(1, None, _not_utf8(lines.bad, header))
            return
        while header and not header[-1].strip():
            header.pop()
        layout = _layout(header, errors)
        if layout is None:
            return
        pick, has_note = layout
        width = len(header)
        for cells in reader:
            row += 1
            if lines.bad is not None:
                column = next(
                    (header[i] for i, c in enumerate(cells[:width]) if "\ufffd" in c), None
                )
                errors.add(row, column and column.strip().lower(), _not_utf8(lines.bad, cells))
                lines.bad = None
                continue
            if len(cells) != width:
                if len(cells) > width and not any(c.strip() for c in cells[width:]):
                    cells = cells[:width]
                elif not any(c.strip() for c in cells):
                    continue
                else:
                    _ragged(row, len(cells), header, errors)
                    continue
            picked = pick(cells)
            if not picked[0] and not any(c.strip() for c in cells):
                continue
            if has_note:
                yield (row, *picked)
            else:
                yield (row, *picked, "")
    except csv.Error as exc:
        errors.add(row + 1, None, f"the CSV cannot be read from here on: {exc}")


def _ragged(row: int, count: int, header: list[str], errors: _Errors) -> None:
    width = len(header)
    if count < width:
        missing = header[count].strip().lower()
        errors.add(
            row,
            missing,
            f"the row has {count} cells but the header has {width}: no cell for {missing!r}",
        )
    else:
        errors.add(
            row,
            None,
            f"the row has {count} cells but the header has {width} (a stray comma, or a "
            "value in a column with no header?)",
        )


def _text(value: Any) -> str:
    """A cell as text: numbers without a trailing .0, midnight dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    return str(value)


def _xlsx_rows(stream: BinaryIO, errors: _Errors) -> Iterator[tuple]:
    """The rows of the first worksheet, read only with defusedxml once the archive's size,
    parts and content have been checked (metrics.upload_safety)."""
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    from .upload_safety import check_xlsx, check_xml_defused

    check_xml_defused()
    check_xlsx(stream)
    unreadable = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, ParseError)
    try:
        book = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
    except (*unreadable, OSError, TypeError) as exc:
        # openpyxl reports defusedxml's refusal as a ValueError caused by it.
        cause = exc
        while cause is not None and not isinstance(cause, DefusedXmlException):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            errors.add(None, None, _XML_REFUSED.format(exc=cause))
        else:
            errors.add(None, None, f"The file is not a readable Excel workbook (.xlsx): {exc}.")
        return
    row = 0
    try:
        if not book.worksheets:
            errors.add(None, None, "The workbook has no worksheet.")
            return
        sheet = book.worksheets[0]
        # The stored dimensions may be wrong; read every cell that is there.
        sheet.reset_dimensions()
        values = sheet.iter_rows(values_only=True)
        header = list(next(values, ()))
        row = 1
        while header and (header[-1] is None or not str(header[-1]).strip()):
            header.pop()
        if not header:
            errors.add(None, None, _EMPTY_FILE)
            return
        layout = _layout(header, errors)
        if layout is None:
            return
        pick, has_note = layout
        width = len(header)
        for cells in values:
            row += 1
            if len(cells) != width:
                if len(cells) > width:
                    extra = next(
                        (i for i in range(width, len(cells)) if _text(cells[i]).strip()),
                        None,
                    )
                    if extra is not None:
                        errors.add(
                            row,
                            None,
                            f"there is a value in column {_letter(extra)}, which has no header",
                        )
                        continue
                    cells = cells[:width]
                else:
                    cells = (*cells, *(None,) * (width - len(cells)))
            picked = pick(cells)
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in picked):
                continue
            metric, subject_type, subject, period, value = picked[:5]
            if isinstance(value, bool) or not isinstance(value, int | float):
                value = _text(value)
            yield (
                row,
                _text(metric),
                _text(subject_type),
                _text(subject),
                _text(period),
                value,
                _text(picked[5]) if has_note else "",
            )
    except DefusedXmlException as exc:
        errors.add(None, None, _XML_REFUSED.format(exc=exc))
    except unreadable as exc:
        errors.add(row + 1 if row else None, None, f"the workbook cannot be read: {exc}")
    finally:
        book.close()


_XML_REFUSED = (
    "The workbook's XML declares entities or a document type ({exc}), which a spreadsheet "
    "saved by Excel never does; it was not read. Save the data as a new Excel workbook (.xlsx)."
)


def _dict_rows(rows: Iterable[Any], errors: _Errors) -> Iterator[tuple]:
    known = set(COLUMNS + OPTIONAL_COLUMNS)
    row = 1
    for item in rows:
        row += 1
        if not isinstance(item, Mapping):
            errors.add(row, None, "each row must be an object with the keys " + ", ".join(COLUMNS))
            continue
        cells = {str(k).strip().lower(): v for k, v in item.items()}
        bad = False
        for name in sorted(cells.keys() - known):
            errors.add(row, name, f"unknown key {name!r}")
            bad = True
        for name in COLUMNS:
            if name not in cells:
                errors.add(row, name, f"the key {name!r} is missing")
                bad = True
        if bad:
            continue
        value = cells["value"]
        if isinstance(value, bool) or not isinstance(value, int | float):
            value = "" if value is None else str(value)
        yield (
            row,
            *(_text(cells[name]) for name in COLUMNS[:4]),
            value,
            _text(cells.get("note")),
        )


# Validation


class _Ambiguous(NamedTuple):
    keys: tuple[str, ...]


_SUBJECT_LABEL = {
    SubjectType.SYSTEM: "system",
    SubjectType.PLACE: "Place",
    SubjectType.ORGANISATION: "organisation",
}


class _MetricInfo(NamedTuple):
    id: int
    code: str
    frequency: str
    minimum: float | None
    maximum: float | None


class _Validator:
    """Checks rows against the metrics and subjects, loaded once; stages the good rows."""

    def __init__(self, errors: _Errors):
        self.errors = errors
        self.rows = 0
        self.metrics = {
            m.code: _MetricInfo(m.id, m.code, m.frequency, m.minimum, m.maximum)
            for m in Metric.objects.only("id", "code", "frequency", "minimum", "maximum")
        }
        self.subjects: dict[str, dict[str, int | _Ambiguous]] = {t: {} for t in SubjectType}
        self.names: dict[str, set[str]] = {t: set() for t in SubjectType}
        self.keys: dict[tuple[str, int], str] = {}
        for pk, key, slug in System.objects.values_list("id", "key", "slug"):
            self._name(SubjectType.SYSTEM, pk, key, slug, slug)
        for pk, key, slug in Place.objects.values_list("id", "key", "slug"):
            self._name(SubjectType.PLACE, pk, key, slug, slug)
        for pk, key, abbreviation in Organisation.objects.values_list("id", "key", "abbreviation"):
            self._name(SubjectType.ORGANISATION, pk, key, abbreviation, abbreviation or key)
        self.series: dict[tuple[int, str, int], int] = {}
        for pk, metric_id, subject_type, *ids in Series.objects.values_list(
            "id", "metric_id", "subject_type", "system_id", "place_id", "organisation_id"
        ):
            subject_id = next((i for i in ids if i is not None), None)
            self.series[(metric_id, subject_type, subject_id)] = pk
        # Series the upload names that do not exist yet: placeholder (negative) -> key.
        self.new_series: dict[int, tuple[int, str, int]] = {}
        self.periods: dict[str, tuple[str, str, str, Period] | str] = {}
        self.today = timezone.localdate()

    def _name(self, kind: str, pk: int, key: str, name: str, shown: str) -> None:
        names = self.subjects[kind]
        for text in {key, name, key.lower(), name.lower()} - {""}:
            found = names.get(text)
            if found is None or found == pk:
                names[text] = pk
            else:
                keys = found.keys if isinstance(found, _Ambiguous) else (self.keys[kind, found],)
                names[text] = _Ambiguous((*keys, key))
        self.names[kind].add(shown)
        self.keys[kind, pk] = key

    def stage(
        self,
        row: int,
        metric: str,
        subject_type: str,
        subject: str,
        period: str,
        value: str | float,
        note: str,
    ) -> tuple | None:
        """The row ready for staging (row, series, start, end, value, note), or None if bad."""
        self.rows += 1
        errors = self.errors
        ok = True
        info = self.metric(metric)
        if info is None:
            ok = False
            self._bad_metric(row, metric)
        kind = self.kind(subject_type)
        if kind is None:
            ok = False
            errors.add(
                row,
                "subject_type",
                "the subject type is empty"
                if not subject_type.strip()
                else f"{subject_type.strip()!r} is not a subject type: use system, place or "
                "organisation",
            )
        subject_id = None
        if kind is not None:
            subject_id = self.subject(kind, subject)
            if subject_id is None or isinstance(subject_id, _Ambiguous):
                ok = False
                self._bad_subject(row, kind, subject, subject_id)
        parsed = self.period(period)
        if type(parsed) is str:
            ok = False
            errors.add(row, "period", parsed)
        elif info is not None and parsed[0] != info.frequency:
            ok = False
            errors.add(row, "period", self._wrong_form(info, period, parsed[3]))
        number = self._number(row, value, info)
        if number is None or not ok:
            return None
        return (
            row,
            self.series_for(info, kind, subject_id),
            parsed[1],
            parsed[2],
            number,
            note.strip(),
        )

    # The meaning of a name, the same for every path that reads uploads (see import_copy).

    def metric(self, text: str) -> _MetricInfo | None:
        """The metric a cell names: its code exactly, or trimmed and in lower case."""
        info = self.metrics.get(text)
        return info if info is not None else self.metrics.get(text.strip().lower())

    def kind(self, text: str) -> str | None:
        """The subject type a cell names, or None."""
        if text in self.subjects:
            return text
        text = text.strip().lower()
        return text if text in self.subjects else None

    def subject(self, kind: str, text: str) -> int | _Ambiguous | None:
        """The id of the subject of that type a cell names (key or name, any case), or None."""
        names = self.subjects[kind]
        found = names.get(text)
        return found if found is not None else names.get(text.strip().lower())

    def series_for(self, info: _MetricInfo, kind: str, subject_id: int) -> int:
        """The series id, or a negative placeholder for a series the upload creates."""
        key = (info.id, kind, subject_id)
        series_id = self.series.get(key)
        if series_id is None:
            series_id = self.series[key] = -(len(self.new_series) + 1)
            self.new_series[series_id] = key
        return series_id

    def period(self, text: str) -> tuple[str, str, str, Period] | str:
        """The period's form and ISO dates (cached), or why it is not a period."""
        parsed = self.periods.get(text)
        if parsed is None:
            parsed = self.periods[text] = self._period(text)
        return parsed

    def _period(self, text: str) -> tuple[str, str, str, Period] | str:
        """The period's form and ISO dates, or why it is not a period."""
        if len(self.periods) > 100_000:
            self.periods.clear()
        if not text.strip():
            return "the period is empty"
        try:
            period = period_parse(text)
        except ValueError as exc:
            return str(exc)
        if period.start > self.today:
            return (
                f"{text.strip()!r} is in the future: observations are for periods that have begun"
            )
        return (period.frequency, period.start.isoformat(), period.end.isoformat(), period)

    def _number(self, row: int, value, info: _MetricInfo | None) -> float | None:
        if type(value) is str:
            try:
                number = float(value)
            except ValueError:
                self.errors.add(row, "value", self._not_a_number(value))
                return None
            if "_" in value:
                self.errors.add(row, "value", self._not_a_number(value))
                return None
        else:
            number = float(value)
        if not math.isfinite(number):
            self.errors.add(
                row,
                "value",
                f"{str(value).strip()!r} is not a finite number: NaN and infinity are not allowed",
            )
            return None
        if info is not None:
            if info.minimum is not None and number < info.minimum:
                self.errors.add(
                    row,
                    "value",
                    f"{_show(number)} is below the minimum {_show(info.minimum)} for {info.code}",
                )
                return None
            if info.maximum is not None and number > info.maximum:
                self.errors.add(
                    row,
                    "value",
                    f"{_show(number)} is above the maximum {_show(info.maximum)} for {info.code}",
                )
                return None
        return number

    @staticmethod
    def _not_a_number(value: str) -> str:
        text = value.strip()
        if not text:
            return "the value is empty"
        hint = ""
        if text.endswith("%"):
            hint = " (leave out the % sign)"
        elif "," in text:
            hint = " (leave out thousands separators)"
        elif text.startswith("#"):
            hint = " (a spreadsheet error)"
        return f"{text!r} is not a number{hint}"

    def _bad_metric(self, row: int, metric: str) -> None:
        text = metric.strip()
        if not text:
            self.errors.add(row, "metric", "the metric is empty")
            return
        hint = ""
        if not self.errors.full:
            close = difflib.get_close_matches(text.lower(), self.metrics, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
        self.errors.add(row, "metric", f"unknown metric {text!r}{hint}")

    def _bad_subject(self, row: int, kind: str, subject: str, found) -> None:
        text = subject.strip()
        label = _SUBJECT_LABEL[kind]
        if not text:
            self.errors.add(row, "subject", "the subject is empty")
            return
        if isinstance(found, _Ambiguous):
            self.errors.add(
                row,
                "subject",
                f"{text!r} names {len(found.keys)} {label}s ({', '.join(found.keys)}); "
                "use the key instead",
            )
            return
        hint = ""
        if not self.errors.full:
            other = next(
                (t for t in SubjectType if t != kind and text.lower() in self.subjects[t]), None
            )
            if other is not None:
                hint = f"; {text!r} is {_a(_SUBJECT_LABEL[other])} (subject_type {other})"
            else:
                close = difflib.get_close_matches(text, self.names[kind], n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
        self.errors.add(row, "subject", f"no {label} {text!r}{hint}")

    @staticmethod
    def _wrong_form(info: _MetricInfo, period: str, parsed: Period) -> str:
        need = _FREQUENCY_NEEDS.get(info.frequency)
        if need is None:
            return (
                f"{info.code} is {info.frequency}: uploads of {info.frequency} metrics "
                "are not supported"
            )
        message = f"{info.code} is {need}, not {period.strip()!r}"
        if info.frequency == Frequency.MONTHLY and parsed.frequency == Frequency.POINT_IN_TIME:
            message += " (if a spreadsheet turned the month into a date, format the cells as text)"
        return message


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _show(number: float) -> str:
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


# Staging and writing


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


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class _GenericWriter:
    """Stages with batched inserts and upserts with portable SQL (SQLite; any backend)."""

    def __init__(self, cursor):
        self.cursor = cursor

    def create(self) -> None:
        """Create the empty staging tables (temporary: only this connection sees them)."""
        self.cursor.execute(
            "CREATE TEMP TABLE metrics_import_staging (upload_row integer NOT NULL, "
            "series_id bigint NOT NULL, period_start date NOT NULL, period_end date NOT NULL, "
            "value double precision NOT NULL, note text NOT NULL)"
        )
        self.cursor.execute(
            "CREATE TEMP TABLE metrics_import_series "
            "(placeholder bigint PRIMARY KEY, series_id bigint NOT NULL)"
        )

    def stage(self, records: Iterator[tuple]) -> None:
        adapt = connection.ops.adapt_datefield_value
        sql = "INSERT INTO metrics_import_staging VALUES (%s, %s, %s, %s, %s, %s)"
        batch: list[tuple] = []
        for row, series_id, start, end, value, note in records:
            batch.append((row, series_id, adapt(start), adapt(end), value, note))
            if len(batch) >= _BATCH_ROWS:
                self.cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            self.cursor.executemany(sql, batch)

    def upsert(self, *, batch_id: int, now: dt.datetime) -> tuple[int, int, list[int]]:
        now = connection.ops.adapt_datetimefield_value(now)
        params = {"batch": batch_id, "now": now, **_PROVENANCE}
        # The change rows first, while the observations still hold their old values.
        self.cursor.execute(_GENERIC_CHANGES, params)
        self.cursor.execute(_GENERIC_UPSERT, params)
        self.cursor.execute(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN before_provenance = '' THEN 1 ELSE 0 END), 0)"
            " FROM metrics_observationchange WHERE batch_id = %s",
            [batch_id],
        )
        changed, created = self.cursor.fetchone()
        self.cursor.execute(
            "SELECT DISTINCT series_id FROM metrics_observationchange WHERE batch_id = %s "
            "ORDER BY series_id",
            [batch_id],
        )
        return created, changed - created, [r[0] for r in self.cursor.fetchall()]


class _PostgresWriter(_GenericWriter):
    """Stages with COPY and upserts in one statement (PostgreSQL with psycopg2)."""

    def create(self) -> None:
        super().create()
        # Large uploads hash-join and group a million rows; let them do it in memory.
        self.cursor.execute("SET LOCAL work_mem = '64MB'")

    def stage(self, records: Iterator[tuple]) -> None:
        reader = _ChunkReader(self._chunks(records))
        self.cursor.copy_expert("COPY metrics_import_staging FROM STDIN", reader)
        if reader.error is not None:
            raise reader.error
        # Temporary tables are never analysed automatically; without it the plans are blind.
        self.cursor.execute("ANALYZE metrics_import_staging")

    @staticmethod
    def _chunks(records: Iterator[tuple]) -> Iterator[bytes]:
        lines: list[str] = []
        append = lines.append
        escapes = _COPY_ESCAPES
        for row, series_id, start, end, value, note in records:
            if note:
                note = note.translate(escapes)
            append(f"{row}\t{series_id}\t{start}\t{end}\t{value!r}\t{note}\n")
            if len(lines) >= _BATCH_ROWS:
                yield "".join(lines).encode()
                lines.clear()
        if lines:
            yield "".join(lines).encode()

    def upsert(self, *, batch_id: int, now: dt.datetime) -> tuple[int, int, list[int]]:
        self.cursor.execute(_POSTGRES_UPSERT, {"batch": batch_id, "now": now, **_PROVENANCE})
        created, updated, series_ids = self.cursor.fetchone()
        return created, updated, series_ids


# One statement: the old values (prev) and the upsert see the same snapshot, so each change
# row records what the observation was before; unchanged rows are not rewritten.
_POSTGRES_UPSERT = """
WITH prev AS (
    SELECT o.series_id, o.period_start, o.value, o.provenance
    FROM metrics_observation o
    JOIN metrics_import_staging s
      ON s.series_id = o.series_id AND s.period_start = o.period_start
),
up AS (
    INSERT INTO metrics_observation AS o (
        series_id, period_start, period_end, value, provenance, batch_id, as_written, note,
        also_sources, modified_at, source_document_id, source_line
    )
    SELECT series_id, period_start, period_end, value, %(upload)s, %(batch)s, '', note,
           '[]'::jsonb, %(now)s, NULL, NULL
    FROM metrics_import_staging
    ON CONFLICT (series_id, period_start) DO UPDATE SET
        period_end = EXCLUDED.period_end,
        value = EXCLUDED.value,
        provenance = EXCLUDED.provenance,
        batch_id = EXCLUDED.batch_id,
        as_written = EXCLUDED.as_written,
        note = EXCLUDED.note,
        also_sources = EXCLUDED.also_sources,
        modified_at = EXCLUDED.modified_at,
        source_document_id = NULL,
        source_line = NULL
    WHERE o.provenance <> %(document)s
      AND (o.value IS DISTINCT FROM EXCLUDED.value
           OR o.provenance <> EXCLUDED.provenance
           OR o.period_end <> EXCLUDED.period_end
           OR o.note <> EXCLUDED.note)
    RETURNING o.series_id, o.period_start, o.value, (o.xmax = 0) AS created
),
changes AS (
    INSERT INTO metrics_observationchange (
        batch_id, series_id, period_start, before_value, before_provenance, after_value,
        changed_at
    )
    SELECT %(batch)s, up.series_id, up.period_start, prev.value, COALESCE(prev.provenance, ''),
           up.value, %(now)s
    FROM up
    LEFT JOIN prev ON prev.series_id = up.series_id AND prev.period_start = up.period_start
)
SELECT COUNT(*) FILTER (WHERE created),
       COUNT(*) FILTER (WHERE NOT created),
       ARRAY(SELECT DISTINCT series_id FROM up ORDER BY series_id)
FROM up
"""


_GENERIC_CHANGES = """
INSERT INTO metrics_observationchange (
    batch_id, series_id, period_start, before_value, before_provenance, after_value, changed_at
)
SELECT %(batch)s, s.series_id, s.period_start, o.value, COALESCE(o.provenance, ''), s.value,
       %(now)s
FROM metrics_import_staging s
LEFT JOIN metrics_observation o
  ON o.series_id = s.series_id AND o.period_start = s.period_start
WHERE o.id IS NULL
   OR (o.provenance <> %(document)s
       AND (o.value <> s.value
            OR o.provenance <> %(upload)s
            OR o.period_end <> s.period_end
            OR o.note <> s.note))
"""

_GENERIC_UPSERT = """
INSERT INTO metrics_observation AS o (
    series_id, period_start, period_end, value, provenance, batch_id, as_written, note,
    also_sources, modified_at, source_document_id, source_line
)
SELECT series_id, period_start, period_end, value, %(upload)s, %(batch)s, '', note, '[]',
       %(now)s, NULL, NULL
FROM metrics_import_staging
WHERE 1 = 1
ON CONFLICT (series_id, period_start) DO UPDATE SET
    period_end = excluded.period_end,
    value = excluded.value,
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
       OR o.note <> excluded.note)
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


def _writer(cursor) -> _GenericWriter:
    """COPY and one upsert statement on PostgreSQL (psycopg2); portable SQL elsewhere."""
    raw = getattr(cursor, "cursor", cursor)
    if connection.vendor == "postgresql" and hasattr(raw, "copy_expert"):
        return _PostgresWriter(cursor)
    return _GenericWriter(cursor)


def _check_staged(cursor, errors: _Errors) -> None:
    """Report duplicate series-periods and rows that would change a documented value."""
    cursor.execute(_DUPLICATES, {"limit": MAX_ERRORS})
    found = cursor.fetchall()
    for row, first_row, _total in found:
        errors.merge(row, "period", f"the same metric, subject and period as row {first_row}")
    if found:
        errors.total += found[0][2] - len(found)
    cursor.execute(_DOCUMENTED, {"limit": MAX_ERRORS, **_PROVENANCE})
    found = cursor.fetchall()
    for row, new, old, title, line, _total in found:
        where = f"{title}, line {line}" if line else title
        errors.merge(
            row,
            "value",
            f"{_show(new)} would replace {_show(old)}, which is documented in {where}; "
            "not replaced",
        )
    if found:
        errors.total += found[0][5] - len(found)


# The service


def observations_import(
    *,
    file: BinaryIO | str | os.PathLike[str] | None = None,
    file_name: str = "",
    rows: Iterable[Mapping[str, Any]] | None = None,
    user: AbstractBaseUser | None = None,
) -> ImportResult:
    """Import every row of the upload or none: upsert its observations and report the counts.

    Give either ``file`` (a path or a binary file: CSV in UTF-8, or XLSX) or ``rows`` (dicts
    with the same keys as the columns). Raises ImportFailed, with every error's row and column,
    and then writes nothing. After the commit the affected series are recomputed.
    """
    if (file is None) == (rows is None):
        raise TypeError("Give either file or rows.")
    if isinstance(file, str | os.PathLike):
        path = Path(file)
        with path.open("rb") as stream:
            return observations_import(
                file=stream, file_name=file_name or path.name, rows=None, user=user
            )
    from .upload_safety import screened_rows

    errors = _Errors()
    with transaction.atomic():
        with _seekable(file) as stream:
            if stream is not None and _copy_possible(stream, file_name):
                result = _import_by_copy(stream, file_name=file_name, user=user)
                if result is not None:
                    _recompute(result)
                    return result
            source = (
                _dict_rows(rows, errors)
                if rows is not None
                else _file_rows(stream, file_name, errors)
            )
            source = screened_rows(source, errors)
            validator = _Validator(errors)
            with connection.cursor() as cursor:
                writer = _writer(cursor)
                writer.create()
                staged = (r for r in (validator.stage(*cells) for cells in source) if r)
                writer.stage(staged)
                if not errors.total and not validator.rows:
                    errors.add(None, None, _NO_DATA if rows is None else "There are no rows.")
                if validator.rows:
                    _check_staged(cursor, errors)
                if errors.total:
                    raise errors.failure()
                result = _write(cursor, writer, validator, file_name=file_name, user=user)
                cursor.execute("DROP TABLE metrics_import_staging")
                cursor.execute("DROP TABLE metrics_import_series")
        _recompute(result)
    return result


def _recompute(result: ImportResult) -> None:
    if result.series_ids:
        from metrics.snapshots import recompute_after_commit

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


def _import_by_copy(stream: BinaryIO, *, file_name: str, user) -> ImportResult | None:
    """Import a clean CSV through COPY (see import_copy); None if it needs the row-by-row path."""
    from .import_copy import NotClean, copy_stage
    from .upload_safety import staged_notes_safe

    try:
        with transaction.atomic():
            validator = _Validator(_Errors())
            with connection.cursor() as cursor:
                writer = _PostgresWriter(cursor)
                writer.create()
                copy_stage(stream, cursor, validator, lambda header: _layout(header, _Errors()))
                if not staged_notes_safe(cursor):
                    raise NotClean
                result = _write(cursor, writer, validator, file_name=file_name, user=user)
                cursor.execute("DROP TABLE metrics_import_staging")
                cursor.execute("DROP TABLE metrics_import_series")
                return result
    except NotClean:
        stream.seek(0)
        return None


def _write(
    cursor, writer: _GenericWriter, validator: _Validator, *, file_name: str, user
) -> ImportResult:
    """Create the new series, the batch and the observations; return what was done."""
    new = validator.new_series
    if new:
        # Another upload may be creating the same series: skip those, then read every id back.
        Series.objects.bulk_create(
            (
                Series(metric_id=metric_id, subject_type=kind, **{_SUBJECT_FIELD[kind]: subject})
                for metric_id, kind, subject in new.values()
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
    created, updated, series_ids = writer.upsert(batch_id=batch.pk, now=timezone.now())
    batch.created, batch.updated = created, updated
    batch.unchanged = validator.rows - created - updated
    batch.save(update_fields=["created", "updated", "unchanged"])
    return ImportResult(
        batch=batch,
        rows=batch.rows,
        created=created,
        updated=updated,
        unchanged=batch.unchanged,
        series_created=len(new),
        series_ids=tuple(series_ids),
    )


_SUBJECT_FIELD = {
    SubjectType.SYSTEM: "system_id",
    SubjectType.PLACE: "place_id",
    SubjectType.ORGANISATION: "organisation_id",
}


def _file_rows(stream: BinaryIO, file_name: str, errors: _Errors) -> Iterator[tuple]:
    """The rows of a CSV or XLSX upload; which one is decided by the content, then the name."""
    head = stream.read(4096)
    stream.seek(0)
    suffix = Path(file_name).suffix.lower()
    if len(head) < 4096 and not head.removeprefix(codecs.BOM_UTF8).strip():
        errors.add(None, None, _EMPTY_FILE)
        return iter(())
    if head.startswith(b"PK\x03\x04"):
        return _xlsx_rows(stream, errors)
    from .upload_safety import check_file

    # Images, documents, programs, old-style and password-protected workbooks (HTTP 415).
    check_file(stream, head, file_name)
    if suffix in (".xlsx", ".xlsm"):
        errors.add(
            None,
            None,
            f"The file is named {suffix} but is not an Excel workbook (it is not a zip "
            "archive); save it again as an Excel workbook (.xlsx) or as 'CSV UTF-8'.",
        )
        return iter(())
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        errors.add(
            None,
            None,
            "The file is UTF-16 (it starts with a UTF-16 byte-order mark), not UTF-8; "
            + _SAVE_AS_UTF8
            + ".",
        )
        return iter(())
    if b"\x00" in head:
        errors.add(
            None,
            None,
            "The file contains NUL bytes: it looks like UTF-16 without a byte-order mark, "
            "not UTF-8; " + _SAVE_AS_UTF8 + ".",
        )
        return iter(())
    return _csv_rows(stream, errors)


@contextmanager
def _seekable(file: BinaryIO | None) -> Iterator[BinaryIO | None]:
    """The file as a seekable binary stream, spooled to a temporary file if it cannot seek."""
    seekable = getattr(file, "seekable", None)
    if file is None or (seekable is not None and seekable()):
        yield file
        return
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        shutil.copyfileobj(file, spool)
        spool.seek(0)
        yield spool
