"""Rebuild the hostile part of the corpus: `.venv/bin/python tests/metrics/uploads/make_corpus.py`.

Each file is made from nothing but the standard library and openpyxl, byte for byte the same
on every run, so the committed files can be checked against this script.
"""

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
HEADER = "metric,subject_type,subject,period,value,note\n"
GOOD_ROW = "bcf-nea,place,coventry,2019/20,12034,"
# Zip entries carry a modification time: a fixed one keeps the files the same on every run.
STAMP = (2020, 1, 1, 0, 0, 0)


def workbook(rows: list[list]) -> bytes:
    """An .xlsx of the rows, as openpyxl writes it, with fixed timestamps."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Observations"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return rezip(buffer.getvalue())


def rezip(data: bytes, *, replace: dict[str, bytes] | None = None, add=()) -> bytes:
    """The archive with some parts replaced and others added, every part stamped STAMP."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = replace.get(info.filename, source.read(info.filename))
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2020-01-01T00:00:00Z", body)
            target.writestr(zipfile.ZipInfo(info.filename, STAMP), body, zipfile.ZIP_DEFLATED)
        for name, body in add:
            target.writestr(zipfile.ZipInfo(name, STAMP), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


GOOD_ROWS = [
    ["metric", "subject_type", "subject", "period", "value"],
    ["bcf-nea", "place", "coventry", "2019/20", 12034],
]


def macro_workbook() -> bytes:
    """A macro-enabled workbook (.xlsm): a VBA project part and the macro content type."""
    base = workbook(GOOD_ROWS)
    with zipfile.ZipFile(io.BytesIO(base)) as z:
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    types = types.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    ).replace(
        "<Default ",
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default ',
        1,
    )
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdVba" Target="vbaProject.bin" '
        'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject"/>'
        "</Relationships>",
    )
    vba = compound_file({"VBA": b'Attribute VB_Name = "Module1"\r\nSub AutoOpen()\r\nEnd Sub\r\n'})
    return rezip(
        base,
        replace={
            "[Content_Types].xml": types.encode(),
            "xl/_rels/workbook.xml.rels": rels.encode(),
        },
        add=[("xl/vbaProject.bin", vba)],
    )


def zip_bomb() -> bytes:
    """An .xlsx of ~40 KB whose worksheet inflates to 40 MB (a thousand to one)."""
    base = workbook(GOOD_ROWS)
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + b" " * (40 * 1024 * 1024) + b"</sheetData></worksheet>"
    )
    return rezip(base, replace={"xl/worksheets/sheet1.xml": sheet})


def xml_entities() -> bytes:
    """An .xlsx whose worksheet declares nested entities ("billion laughs") and uses them."""
    base = workbook(GOOD_ROWS)
    laughs = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY l0 "lol">' + laughs + "]>"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return rezip(base, replace={"xl/worksheets/sheet1.xml": sheet.encode()})


def zip_not_a_workbook() -> bytes:
    """A zip archive (a word-processing document's parts) named .xlsx."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("[Content_Types].xml", STAMP), "<Types/>")
        z.writestr(zipfile.ZipInfo("word/document.xml", STAMP), "<document/>")
    return out.getvalue()


# -- a compound file (CFB), the container of .xls and of password-protected workbooks ---------

FREE, END, FAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
SECTOR = 512


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A version 3 compound file holding the streams under its root, readable by any CFB reader.

    Every stream is padded with NUL bytes to at least 4,096 bytes so that all live in regular
    sectors (no mini stream); one FAT sector and one directory sector hold up to 31 KB.
    """
    names = list(streams)
    assert len(names) <= 3
    sizes = [max(len(streams[n]), 4096) for n in names]
    bodies = [
        streams[n].ljust(-(-size // SECTOR) * SECTOR, b"\x00")
        for n, size in zip(names, sizes, strict=True)
    ]
    fat = [FAT_SECTOR, END]  # sector 0: the FAT; sector 1: the directory
    starts = []
    for body in bodies:
        count = len(body) // SECTOR
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [END]
    assert len(fat) <= SECTOR // 4
    fat += [FREE] * (SECTOR // 4 - len(fat))

    header = bytearray(SECTOR)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, END, 0, END, 0)
    struct.pack_into("<109I", header, 76, 0, *([FREE] * 108))

    # Siblings form a binary tree ordered by name length, then name: a chain to the right.
    order = sorted(range(len(names)), key=lambda i: (len(names[i]), names[i].upper()))
    entries = [_entry("Root Entry", 5, child=1 + order[0], start=END, size=0)]
    for i, name in enumerate(names):
        position = order.index(i)
        right = 1 + order[position + 1] if position + 1 < len(order) else FREE
        entries.append(_entry(name, 2, right=right, start=starts[i], size=sizes[i]))
    directory = b"".join(entries) + _empty_entry() * (SECTOR // 128 - len(entries))
    return bytes(header) + struct.pack(f"<{SECTOR // 4}I", *fat) + directory + b"".join(bodies)


def _entry(name: str, kind: int, *, child=FREE, right=FREE, start: int, size: int) -> bytes:
    raw = name.encode("utf-16-le") + b"\x00\x00"
    entry = bytearray(128)
    entry[0 : len(raw)] = raw
    struct.pack_into("<HBB", entry, 64, len(raw), kind, 1)
    struct.pack_into("<III", entry, 68, FREE, right, child)
    struct.pack_into("<IQ", entry, 116, start, size)
    return bytes(entry)


def _empty_entry() -> bytes:
    entry = bytearray(128)
    struct.pack_into("<III", entry, 68, FREE, FREE, FREE)
    return bytes(entry)


def encrypted_workbook() -> bytes:
    """A password-protected .xlsx as Excel saves it: ECMA-376 agile encryption's two streams."""
    descriptor = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" '
        b'xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
        b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" '
        b'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" '
        b'saltValue="AAECAwQFBgcICQoLDA0ODw=="/>'
        b'<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/'
        b'keyEncryptor/password"><p:encryptedKey spinCount="100000" saltSize="16" '
        b'blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
        b'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" '
        b'saltValue="EBESExQVFhcYGRobHB0eHw=="/></keyEncryptor></keyEncryptors></encryption>'
    )
    # Padded with white space after the XML to a regular sector stream's least size.
    info = (struct.pack("<HHI", 4, 4, 0x40) + descriptor).ljust(4096, b" ")
    # The package: its size, then AES blocks (here a fixed pattern, as no key is needed).
    package = struct.pack("<Q", 6144) + bytes((i * 37 + 11) % 256 for i in range(6144))
    return compound_file({"EncryptionInfo": info, "EncryptedPackage": package})


def png_image() -> bytes:
    """A 1×1 white PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


FILES = {
    "macro.xlsm": macro_workbook,
    "encrypted.xlsx": encrypted_workbook,
    "zip_bomb.xlsx": zip_bomb,
    "xml_entities.xlsx": xml_entities,
    "zip_not_a_workbook.xlsx": zip_not_a_workbook,
    "renamed_image.csv": png_image,
    "renamed_image.xlsx": png_image,
    "nul_byte.csv": lambda: (
        HEADER + GOOD_ROW + "\n" + GOOD_ROW.replace("coventry", "rugby") + "before\x00after\n"
    ).encode(),
    "control_character.csv": lambda: (HEADER + GOOD_ROW + "bell\x07\n").encode(),
    "long_cell.csv": lambda: (HEADER + GOOD_ROW + "x" * 10_000 + "\n").encode(),
    "formula_note.csv": lambda: (HEADER + GOOD_ROW + '=HYPERLINK("http://x.invalid")\n').encode(),
    "formula_subject.csv": lambda: (
        HEADER + "bcf-nea,place,@SUM(1+1)*cmd|' /C calc'!A0,2019/20,12034,\n"
    ).encode(),
    "formula_note.xlsx": lambda: workbook(
        [
            ["metric", "subject_type", "subject", "period", "value", "note"],
            ["bcf-nea", "place", "coventry", "2019/20", 12034, "+cmd|' /C calc'!A0"],
        ]
    ),
    "long_cell.xlsx": lambda: workbook(
        [
            ["metric", "subject_type", "subject", "period", "value"],
            ["bcf-nea", "place", "c" * 10_000, "2019/20", 12034],
        ]
    ),
}


if __name__ == "__main__":
    for name, make in FILES.items():
        (HERE / name).write_bytes(make())
        print(f"{name}: {(HERE / name).stat().st_size:,} bytes")
