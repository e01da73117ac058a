"""The time and memory an import may take, and how far it has got.

An upload of any shape is read under a ``Budget``: the import is refused with a clear message
as soon as it has run longer than its seconds, or its process has grown by more than its
memory since it started (measured, not estimated), and a CSV line longer than ``max_line``
bytes is refused before it is held whole. The synchronous path (a request) has a smaller
time budget than a background job (settings ``PORTAL_IMPORT_*``).

The budget also carries the job's progress: ``tick(rows)`` is called as rows are read, and
passes ``(rows read, total rows known)`` to ``on_progress`` at most every PROGRESS_EVERY
seconds.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from .errors import ImportFailed

PROGRESS_EVERY = 0.5
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def current_rss() -> int | None:
    """This process's resident set size now, in bytes (None where /proc is not there)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


class BudgetExceeded(ImportFailed):
    """The import was stopped because it went over its time or memory budget (HTTP 413)."""

    status_code = 413

    def __init__(self, message: str, *, row: int | None = None):
        super().__init__([{"row": row, "column": None, "message": message}])


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB"


@dataclass
class Budget:
    """The limits of one import, and its progress (see the module's docstring)."""

    seconds: float
    memory: int
    max_line: int
    on_progress: Callable[[int, int | None], None] | None = None
    total: int | None = None
    started: float = field(default_factory=time.monotonic)
    rss_start: int | None = field(default_factory=current_rss)
    _reported: float = 0.0

    @classmethod
    def for_request(cls, **kwargs) -> Budget:
        return cls(
            seconds=settings.PORTAL_IMPORT_REQUEST_SECONDS,
            memory=settings.PORTAL_IMPORT_MEMORY_MB * 1024 * 1024,
            max_line=settings.PORTAL_IMPORT_MAX_LINE_BYTES,
            **kwargs,
        )

    @classmethod
    def for_job(cls, **kwargs) -> Budget:
        return cls(
            seconds=settings.PORTAL_IMPORT_JOB_SECONDS,
            memory=settings.PORTAL_IMPORT_MEMORY_MB * 1024 * 1024,
            max_line=settings.PORTAL_IMPORT_MAX_LINE_BYTES,
            **kwargs,
        )

    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.started)

    def check(self, *, row: int | None = None) -> None:
        """Refuse the import if it has run out of time or memory."""
        if self.remaining() < 0:
            raise self.out_of_time(row=row)
        self.check_memory(row=row)

    def check_memory(self, *, row: int | None = None, expected: int = 0) -> None:
        """Refuse if the process has grown by more than the budget (or would, by
        ``expected`` more bytes)."""
        now = current_rss()
        if now is None or self.rss_start is None:
            grown = expected
        else:
            grown = now - self.rss_start + expected
        if grown > self.memory:
            raise BudgetExceeded(
                f"Reading the upload needs more than {_mb(self.memory)} of memory, the most an "
                "import may use; it was stopped and nothing was written. Split the file into "
                "smaller files, or save it as 'CSV UTF-8', and upload each.",
                row=row,
            )

    def out_of_time(self, *, row: int | None = None) -> BudgetExceeded:
        return BudgetExceeded(
            f"The import took longer than {self.seconds:,.4g} seconds, the most an import may "
            "take; it was stopped and nothing was written. Split the file into smaller files "
            "and upload each.",
            row=row,
        )

    def line_too_long(self, line: int) -> BudgetExceeded:
        return BudgetExceeded(
            f"Line {line:,} of the file is longer than {self.max_line:,} bytes, far longer "
            "than a row of observations; it was not read and nothing was written. Is the "
            "file a CSV of observations (one row per line)?",
            row=line,
        )

    def tick(self, rows: int) -> None:
        """``rows`` have been read: check the budget, and report progress now and then."""
        self.check(row=rows + 1)
        if self.on_progress is not None:
            now = time.monotonic()
            if now - self._reported >= PROGRESS_EVERY:
                self._reported = now
                self.on_progress(rows, self.total)
