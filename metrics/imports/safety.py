"""Refusing hostile uploads before they are parsed: wrong file types, archive bombs, macros,
encrypted workbooks, and cells that are too long, hold control characters or start a formula.

File-level refusals raise ``UploadRefused`` (an ``ImportFailed`` with the HTTP status the API
answers: 413 for too large, 415 for a type the portal does not read); cell-level problems are
ordinary row and column errors. Nothing is written in either case.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from .columns import RawRow
from .errors import ErrorCollector, ImportFailed

# An XLSX upload: at most this many parts in the archive, expanding to at most this many bytes
# in all, and (beyond SMALL_ARCHIVE bytes) at most MAX_RATIO times its compressed size.
# Spreadsheet XML compresses about ten to one; a zip bomb, a thousand to one.
MAX_XLSX_ENTRIES = 500
MAX_XLSX_UNCOMPRESSED = 256 * 1024 * 1024
MAX_XLSX_RATIO = 100
SMALL_ARCHIVE = 10 * 1024 * 1024
# Characters in one cell: a note may be a sentence or two; the other cells are codes and names.
MAX_NOTE_CHARS = 1000
MAX_CELL_CHARS = 200
# A text cell starting with one of these is run as a formula when a spreadsheet opens it
# (OWASP "CSV injection"); notes are stored and exported, so they may not start with one.
FORMULA_LEAD = frozenset("=+-@\t\r")
# Control characters other than tab, line feed and carriage return (NUL included).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_SAVE_AS = "save the data as 'CSV UTF-8' or as an Excel workbook (.xlsx) and upload it again"

# Leading bytes of file types that people upload by mistake (or on purpose) instead of data.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
)
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Reading this much of a compound file finds its directory in any file the API accepts.
_CFB_SCAN = 32 * 1024 * 1024


class UploadRefused(ImportFailed):
    """The file as a whole is refused before any row is read; ``status_code`` for the API."""

    def __init__(self, message: str, *, status_code: int):
        super().__init__([{"row": None, "column": None, "message": message}])
        self.status_code = status_code


def _named(file_name: str) -> str:
    return f" (it is named {file_name!r})" if file_name else ""


def check_file(stream: BinaryIO, head: bytes, file_name: str) -> None:
    """Refuse a file that is not CSV or XLSX by its content, whatever its name says."""
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        kind = "a WebP image"
    else:
        kind = next((label for magic, label in _SIGNATURES if head.startswith(magic)), None)
    if kind is not None:
        raise UploadRefused(
            f"The file is {kind}{_named(file_name)}, not a CSV file or an Excel workbook; "
            + _SAVE_AS
            + ".",
            status_code=415,
        )
    if head.startswith(_CFB):
        raise UploadRefused(_compound_file_message(stream), status_code=415)


def _compound_file_message(stream: BinaryIO) -> str:
    """Why a Microsoft compound file (the pre-2007 container) is refused, by its streams."""
    data = stream.read(_CFB_SCAN)
    stream.seek(0)
    names = set(cfb_entry_names(data))
    if {"EncryptionInfo", "EncryptedPackage"} & names:
        return (
            "The workbook is password-protected (encrypted), so it cannot be read; remove the "
            "password in Excel (File, Info, Protect Workbook, Encrypt with Password) or "
            + _SAVE_AS
            + "."
        )
    if {"Workbook", "Book"} & names or not names:
        return (
            "The file is an old-style Excel workbook (.xls); save it as an Excel workbook "
            "(.xlsx) or as 'CSV UTF-8'."
        )
    return "The file is a Microsoft Office document, not a workbook or CSV file; " + _SAVE_AS + "."


def cfb_entry_names(data: bytes) -> Iterator[str]:
    """The names of the storages and streams in a compound file's directory.

    Directory entries are 128 bytes and sectors are multiples of 128 bytes, so every entry
    starts at a multiple of 128 after the 512-byte header: no FAT chain needs to be followed.
    """
    for offset in range(512, len(data) - 127, 128):
        length, kind = struct.unpack_from("<HB", data, offset + 64)
        if kind in (1, 2, 5) and 2 <= length <= 64 and length % 2 == 0:
            raw = data[offset : offset + length - 2]
            if data[offset + length - 2 : offset + length] != b"\x00\x00":
                continue
            try:
                name = raw.decode("utf-16-le")
            except UnicodeDecodeError:
                continue
            if name.isprintable():
                yield name


def check_xlsx(stream: BinaryIO) -> None:
    """Refuse an XLSX archive that would expand too far, has too many parts, is not a
    workbook or carries macros or embedded programs: from its directory, before parsing."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # the workbook reader reports an unreadable archive
    try:
        entries = archive.infolist()
        if len(entries) > MAX_XLSX_ENTRIES:
            raise UploadRefused(
                f"The workbook has {len(entries):,} parts; at most {MAX_XLSX_ENTRIES:,} are "
                "accepted. Copy the data to a new workbook, or " + _SAVE_AS + ".",
                status_code=413,
            )
        expanded = sum(e.file_size for e in entries)
        compressed = sum(e.compress_size for e in entries) or 1
        if expanded > MAX_XLSX_UNCOMPRESSED or (
            expanded > SMALL_ARCHIVE and expanded > MAX_XLSX_RATIO * compressed
        ):
            raise UploadRefused(
                f"The workbook would expand from {_size(compressed)} to {_size(expanded)}, "
                "far more than a spreadsheet of its size holds (is it a zip bomb?); "
                "it was not opened. " + _SAVE_AS.capitalize() + ".",
                status_code=413,
            )
        names = {e.filename.lower() for e in entries}
        if "[content_types].xml" not in names or "xl/workbook.xml" not in names:
            raise UploadRefused(
                "The file is a zip archive but not an Excel workbook; " + _SAVE_AS + ".",
                status_code=415,
            )
        types = archive.read("[Content_Types].xml") if expanded <= SMALL_ARCHIVE else b""
        if any(n.endswith("vbaproject.bin") for n in names) or b"macroEnabled" in types:
            raise UploadRefused(
                "The workbook contains macros (it is a macro-enabled workbook, .xlsm); the "
                "portal does not accept macros. Save it as an Excel workbook (.xlsx) and "
                "upload it again.",
                status_code=415,
            )
        if any(n.startswith(("xl/embeddings/", "xl/activex/")) for n in names):
            raise UploadRefused(
                "The workbook contains embedded objects or controls, which the portal does not "
                "accept; copy the data to a new workbook, or " + _SAVE_AS + ".",
                status_code=415,
            )
    finally:
        archive.close()
        stream.seek(0)


def check_xml_defused() -> None:
    """Refuse to parse workbooks unless openpyxl parses their XML with defusedxml."""
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:
        raise UploadRefused(
            "Excel workbooks cannot be read at the moment (the safe XML parser is not "
            "installed); upload the data as 'CSV UTF-8' instead.",
            status_code=415,
        )


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:,.0f} KB"


def upload_too_large(size: int, limit: int) -> UploadRefused:
    """The refusal of an upload of ``size`` bytes over ``limit``."""
    return UploadRefused(
        f"The file is {_size(size)}; the largest upload accepted is {_size(limit)}. Split it "
        "into smaller files and upload each.",
        status_code=413,
    )


def screened_rows(rows: Iterable[RawRow], errors: ErrorCollector) -> Iterator[RawRow]:
    """The rows whose cells are safe to store and export; the others are reported by row and
    column: cells too long, control characters, notes that would start a spreadsheet formula."""
    for cells in rows:
        row, metric, subject_type, subject, period, value, note, numerator, denominator = cells
        # Most rows are short and plain: one length sum and one search clear them.
        value_text = value if type(value) is str else ""
        numerator_text = numerator if type(numerator) is str else ""
        denominator_text = denominator if type(denominator) is str else ""
        value_text_all = f"{value_text}{numerator_text}{denominator_text}"
        total = len(metric) + len(subject_type) + len(subject) + len(period) + len(value_text_all)
        if (
            total <= MAX_CELL_CHARS
            and len(note) <= MAX_NOTE_CHARS
            and not (note and note.lstrip()[:1] in FORMULA_LEAD)
            and not _CONTROL.search(note)
            and not _CONTROL.search(f"{metric}{subject_type}{subject}{period}{value_text_all}")
        ):
            yield cells
            continue
        bad = False
        for column, text in (
            ("metric", metric),
            ("subject_type", subject_type),
            ("subject", subject),
            ("period", period),
            ("value", value_text),
            ("note", note),
            ("numerator", numerator_text),
            ("denominator", denominator_text),
        ):
            problem = cell_problem(column, text)
            if problem:
                errors.add(row, column, problem)
                bad = True
        if not bad:
            yield cells


def cell_problem(column: str, text: str) -> str | None:
    """Why a text cell cannot be stored, or None."""
    limit = MAX_NOTE_CHARS if column == "note" else MAX_CELL_CHARS
    if len(text) > limit:
        return (
            f"the cell has {len(text):,} characters; at most {limit:,} are accepted in "
            f"{'a note' if column == 'note' else 'this column'}"
        )
    found = _CONTROL.search(text)
    if found:
        char = found.group()
        what = "a NUL byte" if char == "\x00" else f"a control character (0x{ord(char):02X})"
        return f"the cell contains {what}; remove it and upload again"
    lead = text.lstrip()[:1]
    if column == "note" and lead and lead in FORMULA_LEAD:
        return (
            f"the note starts with {lead!r}, so a spreadsheet would run it as a formula; "
            "remove the leading character or put a word before it"
        )
    return None


def staged_notes_safe(cursor) -> bool:
    """Whether every note the COPY path staged passes ``cell_problem`` (the other cells it
    stages are resolved ids, dates and numbers); if not, the row-by-row path names them."""
    cursor.execute(
        "SELECT NOT EXISTS (SELECT 1 FROM metrics_import_staging WHERE length(note) > %s "
        "OR left(ltrim(note, E' \\t\\n\\r\\x0b\\x0c'), 1) = ANY(%s) OR note ~ %s)",
        [MAX_NOTE_CHARS, sorted(FORMULA_LEAD), _CONTROL.pattern],
    )
    return cursor.fetchone()[0]
