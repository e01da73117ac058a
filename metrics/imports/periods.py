"""Periods as uploads write them: YYYY-MM (a month), YYYY/YY (a financial year), YYYY-MM-DD."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import NamedTuple

from ..choices import Frequency


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

# What a metric of each frequency needs its periods to look like.
FREQUENCY_NEEDS = {
    Frequency.MONTHLY: "a monthly metric: give the month as YYYY-MM (e.g. 2019-04)",
    Frequency.ANNUAL: "an annual metric: give the financial year as YYYY/YY (e.g. 2019/20)",
    Frequency.POINT_IN_TIME: (
        "measured at a point in time: give the date as YYYY-MM-DD (e.g. 2019-08-31)"
    ),
}


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
