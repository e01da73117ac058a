"""Reading uploads: CSV files, XLSX workbooks and the API's rows, as ``RawRow`` s.

Rows are numbered as a spreadsheet shows them: the header is row 1 and the first data row is
row 2 (rows given as a list of dicts from the API are numbered the same way: item 0 is row 2).
Problems with the file or a row are added to the error collector; those rows are not yielded.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple
from xml.etree.ElementTree import ParseError

from .budget import Budget
from .columns import COLUMNS, FRACTION_COLUMNS, OPTIONAL_COLUMNS, RawRow
from .errors import ErrorCollector
from .safety import check_file, check_xlsx, check_xml_defused


class Layout(NamedTuple):
    """Where the columns are in a header: ``pick(cells)`` gives metric, subject_type, subject,
    period, value (and note when ``has_note``) in that order."""

    pick: itemgetter
    has_note: bool
    # numerator and denominator: picked last, after the note.
    has_fraction: bool = False

    def raw(self, row: int, picked, text=lambda x: x) -> RawRow:
        """The picked cells as a RawRow (``text`` turns a cell that is not a number to text)."""
        note = text(picked[5]) if self.has_note else ""
        if not self.has_fraction:
            return RawRow(row, *picked[:5], note)
        return RawRow(row, *picked[:5], note, *(_cell(c, text) for c in picked[-2:]))


EMPTY_FILE = (
    "The file is empty: it needs a header row (metric, subject_type, subject, period, value "
    "and optionally note) and at least one data row."
)
NO_DATA = "The file has a header but no data rows."
_SAVE_AS_UTF8 = "save it as 'CSV UTF-8' (or as an Excel workbook, .xlsx) and upload it again"
_DELIMITERS = ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars"))
# An upload has at most eight columns; a header far wider is not a header of observations,
# and naming each of its columns (with a suggestion) would cost more than the file is worth.
MAX_HEADER_COLUMNS = 100
# Shared strings are counted every this many, against the budget.
_STRINGS_TICK = 10_000


def _letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def header_layout(header: list[str], errors: ErrorCollector) -> Layout | None:
    """Where each column is in the header, or None after reporting why the header is unusable."""
    if len(header) > MAX_HEADER_COLUMNS:
        errors.add(
            1,
            None,
            f"the header has {len(header):,} columns; an upload has at most eight (metric, "
            "subject_type, subject, period, value, and optionally note, numerator and "
            "denominator): is this the right file?",
        )
        return None
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
    present = [n for n in FRACTION_COLUMNS if n in seen]
    if len(present) == 1:
        other = next(n for n in FRACTION_COLUMNS if n not in seen)
        errors.add(
            1, other, f"the column {other!r} is missing: numerator and denominator come together"
        )
        bad = True
    if bad:
        return None
    has_note = "note" in seen
    has_fraction = bool(present)
    names = COLUMNS + (("note",) if has_note else ()) + (FRACTION_COLUMNS if has_fraction else ())
    return Layout(itemgetter(*(seen[n] for n in names)), has_note, has_fraction)


def _cell(cell, text):
    """A numerator or denominator cell: a number as it is, anything else as text."""
    if isinstance(cell, bool) or not isinstance(cell, int | float):
        return text(cell)
    return cell


class _Utf8Lines:
    """The lines of a binary stream as text, noting the first byte of a line that is not UTF-8;
    a line longer than the budget's ``max_line`` is refused before it is read whole."""

    def __init__(self, stream: BinaryIO, budget: Budget):
        self.stream = stream
        self.bad: bytes | None = None
        self.budget = budget

    def __iter__(self) -> Iterator[str]:
        first = True
        limit = self.budget.max_line
        number = 0
        while raw := self.stream.readline(limit + 1):
            number += 1
            if len(raw) > limit:
                raise self.budget.line_too_long(number)
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


def csv_rows(stream: BinaryIO, errors: ErrorCollector, budget: Budget) -> Iterator[RawRow]:
    budget.total = line_count(stream) - 1
    lines = _Utf8Lines(stream, budget)
    # A quoted cell may span lines, but never beyond the longest line accepted.
    csv.field_size_limit(max(budget.max_line, 1024))
    reader = csv.reader(lines)
    row = 0
    try:
        header = next(reader, None)
        row = 1
        if header is None or not any(c.strip() for c in header):
            if any(any(c.strip() for c in cells) for cells in reader):
                errors.add(1, None, "the row is empty; the header must be the first row")
            else:
                errors.add(None, None, EMPTY_FILE)
            return
        if lines.bad is not None:
            errors.add(1, None, _not_utf8(lines.bad, header))
            return
        while header and not header[-1].strip():
            header.pop()
        layout = header_layout(header, errors)
        if layout is None:
            return
        pick, has_note = layout.pick, layout.has_note
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
            if layout.has_fraction:
                yield layout.raw(row, picked)
            elif has_note:
                yield RawRow(row, *picked)
            else:
                yield RawRow(row, *picked, "")
    except csv.Error as exc:
        errors.add(row + 1, None, f"the CSV cannot be read from here on: {exc}")


def line_count(stream: BinaryIO) -> int:
    """The lines of the file (a quoted cell may hold more than one): the total rows to expect,
    counted in blocks of a megabyte, whatever the lines' length."""
    count = 0
    last = b"\n"
    while block := stream.read(1 << 20):
        count += block.count(b"\n")
        last = block[-1:]
    stream.seek(0)
    return count + (last != b"\n")


def _ragged(row: int, count: int, header: list[str], errors: ErrorCollector) -> None:
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


def shared_strings_check(stream: BinaryIO, budget: Budget) -> None:
    """Refuse a workbook whose shared strings would not fit the memory budget, by streaming
    them (defusedxml's iterparse, each element cleared once counted) before openpyxl loads
    them whole: a small workbook may hold hundreds of megabytes of text."""
    from defusedxml.ElementTree import iterparse

    try:
        archive = zipfile.ZipFile(stream)
        name = next((n for n in archive.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
        if name is None:
            return
        expected = 0
        count = 0
        root = None
        with archive.open(name) as part:
            for event, element in iterparse(part, events=("start", "end")):
                if root is None:
                    root = element
                if event == "start":
                    continue
                if element.tag.endswith("}t") or element.tag == "t":
                    text = element.text or ""
                    # A str of n characters and its places in openpyxl's list and index.
                    expected += 120 + len(text) * (1 if text.isascii() else 4)
                elif element.tag.endswith("}si") or element.tag == "si":
                    count += 1
                    # Counted: let the strings read so far go.
                    root.clear()
                    if count % _STRINGS_TICK == 0:
                        budget.check()
                        budget.check_memory(expected=expected)
        budget.check_memory(expected=expected)
    except (zipfile.BadZipFile, OSError, ParseError, ValueError, KeyError):
        return  # openpyxl reports an unreadable workbook in its own words
    finally:
        stream.seek(0)


def xlsx_rows(stream: BinaryIO, errors: ErrorCollector, budget: Budget) -> Iterator[RawRow]:
    """The rows of the first worksheet, read only with defusedxml once the archive's size,
    parts and content have been checked (see safety) and its shared strings counted against
    the budget."""
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_xml_defused()
    check_xlsx(stream)
    unreadable = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, ParseError)
    try:
        shared_strings_check(stream, budget)
    except DefusedXmlException as exc:
        errors.add(None, None, _XML_REFUSED.format(exc=exc))
        return
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
        # The stored dimensions, if any, are the total to expect; they may be wrong, so read
        # every cell that is there.
        budget.total = (sheet.max_row - 1) if sheet.max_row else None
        sheet.reset_dimensions()
        values = sheet.iter_rows(values_only=True)
        header = list(next(values, ()))
        row = 1
        while header and (header[-1] is None or not str(header[-1]).strip()):
            header.pop()
        if not header:
            errors.add(None, None, EMPTY_FILE)
            return
        layout = header_layout(header, errors)
        if layout is None:
            return
        pick = layout.pick
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
            yield layout.raw(
                row,
                (
                    _text(metric),
                    _text(subject_type),
                    _text(subject),
                    _text(period),
                    value,
                    *picked[5:],
                ),
                _text,
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


def dict_rows(rows: Iterable[Any], errors: ErrorCollector) -> Iterator[RawRow]:
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
        yield RawRow(
            row,
            *(_text(cells[name]) for name in COLUMNS[:4]),
            value,
            _text(cells.get("note")),
            *(_cell(cells.get(name), _text) for name in FRACTION_COLUMNS),
        )


def file_rows(
    stream: BinaryIO, file_name: str, errors: ErrorCollector, budget: Budget
) -> Iterator[RawRow]:
    """The rows of a CSV or XLSX upload; which one is decided by the content, then the name."""
    head = stream.read(4096)
    stream.seek(0)
    suffix = Path(file_name).suffix.lower()
    if len(head) < 4096 and not head.removeprefix(codecs.BOM_UTF8).strip():
        errors.add(None, None, EMPTY_FILE)
        return iter(())
    if head.startswith(b"PK\x03\x04"):
        return xlsx_rows(stream, errors, budget)
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
    return csv_rows(stream, errors, budget)


@contextmanager
def seekable(file: BinaryIO | None) -> Iterator[BinaryIO | None]:
    """The file as a seekable binary stream, spooled to a temporary file if it cannot seek."""
    seekable = getattr(file, "seekable", None)
    if file is None or (seekable is not None and seekable()):
        yield file
        return
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        shutil.copyfileobj(file, spool)
        spool.seek(0)
        yield spool
