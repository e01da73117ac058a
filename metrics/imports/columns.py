"""The columns of an upload, and one row of it as read, before any check."""

from __future__ import annotations

from typing import NamedTuple

COLUMNS = ("metric", "subject_type", "subject", "period", "value")
OPTIONAL_COLUMNS = ("note", "numerator", "denominator")
# Proportions and rates: both or neither (value = numerator / denominator x multiplier).
FRACTION_COLUMNS = ("numerator", "denominator")


class RawRow(NamedTuple):
    """A row as read: its spreadsheet row number and its cells as text (value may be a number
    when a workbook or the API gave one)."""

    row: int
    metric: str
    subject_type: str
    subject: str
    period: str
    value: str | float
    note: str
    numerator: str | float = ""
    denominator: str | float = ""
