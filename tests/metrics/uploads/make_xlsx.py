"""Rebuild the corpus's Excel workbooks: `.venv/bin/python tests/metrics/uploads/make_xlsx.py`."""

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
HEADER = ["metric", "subject_type", "subject", "period", "value", "note"]

# The same observations as good.csv, with typed cells as Excel stores them: numbers, a real
# date for the point-in-time period, an empty row (row 4) that is skipped.
GOOD = [
    HEADER,
    ["bcf-nea", "place", "coventry", "2019/20", 12034, "Provisional outturn"],
    ["bcf-nea", "organisation", "WCC", "2019/20", 30100.5, None],
    [],
    ["bcf-reablement", "organisation", "org_wcc", "2019/20", 91.2, None],
    [
        "wf-headcount",
        "organisation",
        "UHCW",
        dt.datetime(2020, 3, 31),
        9120,
        "Month-end extract, ESR",
    ],
    ["wf-sickness", "organisation", "geh", "2020-03-31", 4.1, None],
    ["test-monthly-admissions", "system", "coventry-and-warwickshire", "2020-01", 1532, None],
    ["test-monthly-admissions", "place", "rugby", "2020-02", 87, None],
]

BAD_CELL = [
    HEADER[:5],
    ["bcf-nea", "place", "coventry", "2019/20", 12034],
    ["bcf-nea", "place", "rugby", "2019/20", "n/a"],
]

ERROR_CELL = [HEADER[:5], ["bcf-nea", "place", "coventry", "2019/20", "#DIV/0!"]]

DATE_FOR_MONTH = [
    HEADER[:5],
    ["test-monthly-admissions", "place", "coventry", dt.datetime(2020, 1, 1), 10],
]

MISSING_COLUMN = [HEADER[:4], ["bcf-nea", "place", "coventry", "2019/20"]]


def write(name: str, rows: list[list]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Observations"
    for row in rows:
        sheet.append(row)
    book.save(HERE / name)


if __name__ == "__main__":
    write("good.xlsx", GOOD)
    write("bad_cell.xlsx", BAD_CELL)
    write("error_cell.xlsx", ERROR_CELL)
    write("date_for_month.xlsx", DATE_FOR_MONTH)
    write("missing_column.xlsx", MISSING_COLUMN)
