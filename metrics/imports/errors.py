"""The errors of an upload: each names its row and column; any error refuses the whole upload."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import ValidationError

from .columns import COLUMNS, OPTIONAL_COLUMNS

MAX_ERRORS = 100
# Errors are reported by row, then in the order of the columns; whole-row errors first.
_COLUMN_ORDER = {None: -1, **{name: i for i, name in enumerate(COLUMNS + OPTIONAL_COLUMNS)}}


@dataclass(frozen=True)
class RowError:
    """One problem: the spreadsheet row (header 1, first data row 2; None for the whole file),
    the column's name (None for the whole row) and what is wrong."""

    row: int | None
    column: str | None
    message: str

    def sort_key(self) -> tuple[int, int]:
        return (self.row or 0, _COLUMN_ORDER.get(self.column, 9))


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


class ImportConflict(ImportFailed):
    """Other writers changed the same rows at the same time, every time it was tried; nothing
    was written and the same upload may simply be sent again. ``status_code`` for the API."""

    status_code = 409
    message = "Another upload changed these rows at the same time; nothing was written. Try again."

    def __init__(self) -> None:
        super().__init__([{"row": None, "column": None, "message": self.message}])


def error_text(error: Mapping[str, Any]) -> str:
    """One error as a line a person reads: 'Row 3, column value: …'."""
    row, column, message = error["row"], error["column"], error["message"]
    if row is None:
        return message
    where = f"Row {row}" + (" (the header)" if row == 1 else "")
    return f"{where}, column {column}: {message}" if column else f"{where}: {message}"


class ErrorCollector:
    """The errors found so far: the first MAX_ERRORS in full, and a count of all."""

    def __init__(self) -> None:
        self.items: list[RowError] = []
        self.total = 0

    @property
    def full(self) -> bool:
        return len(self.items) >= MAX_ERRORS

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.total += 1
        if not self.full:
            self.items.append(RowError(row, column, message))

    def merge(self, row: int, column: str | None, message: str) -> None:
        """Add an error found after the pass, in row order among the others."""
        self.total += 1
        self.items.append(RowError(row, column, message))

    def count_unlisted(self, count: int) -> None:
        """Count ``count`` more errors found by a query that listed only the first ones."""
        self.total += count

    def failure(self) -> ImportFailed:
        items = sorted(self.items, key=RowError.sort_key)
        return ImportFailed([asdict(e) for e in items[:MAX_ERRORS]], total=self.total)


def number_text(number: float) -> str:
    """A number as an error message shows it: whole numbers without '.0'."""
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
