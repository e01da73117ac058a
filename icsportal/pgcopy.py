"""PostgreSQL COPY formats, written and read without a database: text-format cells and the
binary format's framing around fixed-width rows.

Pure: no Django and no app; the callers own the cursor. Binary rows are NumPy structured
arrays whose fields are each a big-endian length word followed by the value, as
https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4 describes them.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

# The date and timestamp epoch of PostgreSQL's binary format.
EPOCH = dt.date(2000, 1, 1)
EPOCH_DAY = np.datetime64(EPOCH, "D")
EPOCH_UTC = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
NULL = r"\N"

_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
# signature (11) + flags (4) + header extension length (4)
BINARY_HEADER_SIZE = len(_SIGNATURE) + 8
_BINARY_HEADER = _SIGNATURE + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_BINARY_TRAILER = (-1).to_bytes(2, "big", signed=True)

TEXT_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def text_escape(text: str) -> str:
    """``text`` as one cell of COPY's text format (backslash, tab and line ends escaped)."""
    return text.translate(TEXT_ESCAPES)


def text_cell(value: Any) -> str:
    """Any Python value as a COPY text cell: None is NULL, lists and dicts are JSON."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | dict):
        value = json.dumps(value)
    return text_escape(str(value))


class TextLines:
    """A read()-able file of COPY text lines from records of values (None is NULL)."""

    def __init__(self, records: Iterator[Iterable[Any]], *, batch: int = 5000):
        self.records = records
        self.batch = batch

    def read(self, size: int = -1) -> bytes:
        lines = []
        for record in self.records:
            lines.append("\t".join(NULL if c is None else text_escape(str(c)) for c in record))
            if len(lines) >= self.batch:
                break
        return "".join(f"{line}\n" for line in lines).encode()


def binary_file(rows: np.ndarray) -> io.BytesIO:
    """A binary-format COPY file of the structured ``rows``, positioned at its start."""
    buffer = io.BytesIO()
    buffer.write(_BINARY_HEADER)
    buffer.write(rows.tobytes())
    buffer.write(_BINARY_TRAILER)
    buffer.seek(0)
    return buffer


def binary_rows(data: bytes | memoryview, dtype: np.dtype) -> np.ndarray:
    """The fixed-width rows of a binary-format COPY file (no NULLs), as a view of ``data``."""
    count = (len(data) - BINARY_HEADER_SIZE - len(_BINARY_TRAILER)) // dtype.itemsize
    return np.frombuffer(data, dtype=dtype, count=count, offset=BINARY_HEADER_SIZE)
