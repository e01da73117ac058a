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


def csv_rows(stream: BinaryIO, errors: ErrorCollector) -> Iterator[RawRow]:
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


def xlsx_rows(stream: BinaryIO, errors: ErrorCollector) -> Iterator[RawRow]:
    """The rows of the first worksheet, read only with defusedxml once the archive's size,
    parts and content have been checked (see safety)."""
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

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


def file_rows(stream: BinaryIO, file_name: str, errors: ErrorCollector) -> Iterator[RawRow]:
    """The rows of a CSV or XLSX upload; which one is decided by the content, then the name."""
    head = stream.read(4096)
    stream.seek(0)
    suffix = Path(file_name).suffix.lower()
    if len(head) < 4096 and not head.removeprefix(codecs.BOM_UTF8).strip():
        errors.add(None, None, EMPTY_FILE)
        return iter(())
    if head.startswith(b"PK\x03\x04"):
        return xlsx_rows(stream, errors)
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
    return csv_rows(stream, errors)


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
