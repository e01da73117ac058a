"""Checking rows against the metrics and subjects: each good row becomes a ``ParsedRow``.

Every error names its row and column (see errors); a bad row is reported and left out.
"""

from __future__ import annotations

import difflib
import math
from typing import NamedTuple

from django.utils import timezone

from governance.models import Organisation
from places.models import Place, System

from ..choices import FRACTION_KINDS, DataKind, Frequency, SubjectType
from ..models import Metric, Series
from .columns import RawRow
from .errors import ErrorCollector, number_text
from .periods import FREQUENCY_NEEDS, Period, period_parse


class ParsedRow(NamedTuple):
    """A good row, ready for staging: its series (negative: a placeholder for a series the
    upload creates), ISO period dates, value and trimmed note."""

    row: int
    series_id: int
    start: str
    end: str
    value: float
    note: str
    numerator: float | None = None
    denominator: float | None = None


class PeriodDates(NamedTuple):
    """A period cell read: its frequency, its ISO start and end dates, and the period."""

    frequency: str
    start: str
    end: str
    period: Period


class PeriodProblem(NamedTuple):
    """Why a period cell is not a period an observation may have."""

    message: str


class Ambiguous(NamedTuple):
    """A name that several subjects of one type answer to: their keys."""

    keys: tuple[str, ...]


_SUBJECT_LABEL = {
    SubjectType.SYSTEM: "system",
    SubjectType.PLACE: "Place",
    SubjectType.ORGANISATION: "organisation",
}


class MetricInfo(NamedTuple):
    """What validating a row needs of its metric."""

    id: int
    code: str
    frequency: str
    minimum: float | None
    maximum: float | None
    data_kind: str = DataKind.CONTINUOUS
    multiplier: float = 1
    decimal_places: int = 1

    @property
    def fraction(self) -> bool:
        """Whether its rows need a numerator and a denominator (a proportion or a rate)."""
        return self.data_kind in FRACTION_KINDS


class Validator:
    """Checks rows against the metrics and subjects, loaded once; stages the good rows."""

    def __init__(self, errors: ErrorCollector):
        self.errors = errors
        self.rows = 0
        self.metrics = {
            m.code: MetricInfo(
                m.id,
                m.code,
                m.frequency,
                m.minimum,
                m.maximum,
                m.data_kind,
                m.multiplier,
                m.decimal_places,
            )
            for m in Metric.objects.only(
                "id",
                "code",
                "frequency",
                "minimum",
                "maximum",
                "data_kind",
                "multiplier",
                "decimal_places",
            )
        }
        self.subjects: dict[str, dict[str, int | Ambiguous]] = {t: {} for t in SubjectType}
        self.names: dict[str, set[str]] = {t: set() for t in SubjectType}
        self.keys: dict[tuple[str, int], str] = {}
        for pk, key, slug in System.objects.values_list("id", "key", "slug"):
            self._name(SubjectType.SYSTEM, pk, key, slug, slug)
        # Keys are unique only within a system: "<system slug>/<key>" names one whatever
        # other systems hold (a key two systems share is refused as ambiguous).
        for pk, key, slug, system in Place.objects.values_list("id", "key", "slug", "system__slug"):
            self._name(SubjectType.PLACE, pk, key, slug, slug, system=system)
        for pk, key, abbreviation, system in Organisation.objects.values_list(
            "id", "key", "abbreviation", "system__slug"
        ):
            self._name(
                SubjectType.ORGANISATION, pk, key, abbreviation, abbreviation or key, system=system
            )
        self.series: dict[tuple[int, str, int], int] = {}
        for pk, metric_id, subject_type, *ids in Series.objects.values_list(
            "id", "metric_id", "subject_type", "system_id", "place_id", "organisation_id"
        ):
            subject_id = next((i for i in ids if i is not None), None)
            self.series[(metric_id, subject_type, subject_id)] = pk
        # Series the upload names that do not exist yet: placeholder (negative) -> key.
        self.new_series: dict[int, tuple[int, str, int]] = {}
        self.periods: dict[str, PeriodDates | PeriodProblem] = {}
        self.today = timezone.localdate()

    def _name(self, kind: str, pk: int, key: str, name: str, shown: str, system: str = "") -> None:
        names = self.subjects[kind]
        shown_key = f"{system}/{key}" if system else key
        qualified = {shown_key, shown_key.lower()} if system else set()
        if system and name:
            qualified |= {f"{system}/{name}", f"{system}/{name}".lower()}
        for text in ({key, name, key.lower(), name.lower()} | qualified) - {""}:
            found = names.get(text)
            if found is None or found == pk:
                names[text] = pk
            else:
                keys = found.keys if isinstance(found, Ambiguous) else (self.keys[kind, found],)
                names[text] = Ambiguous((*keys, shown_key))
        self.names[kind].add(shown)
        self.keys[kind, pk] = shown_key

    def stage(self, raw: RawRow) -> ParsedRow | None:
        """The row ready for staging, or None (its errors reported) if it is bad."""
        row, metric, subject_type, subject, period, value, note, numerator, denominator = raw
        self.rows += 1
        errors = self.errors
        ok = True
        info = self.metric(metric)
        if info is None:
            ok = False
            self._bad_metric(row, metric)
        kind = self.kind(subject_type)
        if kind is None:
            ok = False
            errors.add(
                row,
                "subject_type",
                "the subject type is empty"
                if not subject_type.strip()
                else f"{subject_type.strip()!r} is not a subject type: use system, place or "
                "organisation",
            )
        subject_id = None
        if kind is not None:
            subject_id = self.subject(kind, subject)
            if subject_id is None or isinstance(subject_id, Ambiguous):
                ok = False
                self._bad_subject(row, kind, subject, subject_id)
        parsed = self.period(period)
        if isinstance(parsed, PeriodProblem):
            ok = False
            errors.add(row, "period", parsed.message)
        elif info is not None and parsed.frequency != info.frequency:
            ok = False
            errors.add(row, "period", self._wrong_form(info, period, parsed.period))
        fraction = self._fraction(row, value, numerator, denominator, info)
        if fraction is False:
            return None
        if fraction is None:
            number = self._number(row, value, info)
        else:
            number = self._number(row, fraction[2], info)
        if number is None or not ok:
            return None
        return ParsedRow(
            row,
            self.series_for(info, kind, subject_id),
            parsed.start,
            parsed.end,
            number,
            note.strip(),
            *(fraction[:2] if fraction else ()),
        )

    def _fraction(self, row: int, value, numerator, denominator, info: MetricInfo | None):
        """(numerator, denominator, value) for a proportion or a rate, None for other metrics
        (whose numerator and denominator cells are empty), False after reporting a problem."""
        given = [str(c).strip() != "" for c in (numerator, denominator)]
        if info is None:
            return None
        if not info.fraction:
            if any(given):
                column = "numerator" if given[0] else "denominator"
                self.errors.add(
                    row,
                    column,
                    f"{info.code} is not a proportion or a rate: leave the numerator and "
                    "denominator empty",
                )
                return False
            return None
        numbers = []
        for column, cell, present in (
            ("numerator", numerator, given[0]),
            ("denominator", denominator, given[1]),
        ):
            if not present:
                self.errors.add(
                    row,
                    column,
                    f"the {column} is empty: {info.code} is a {info.data_kind}, so each row "
                    "needs its numerator and denominator",
                )
                numbers.append(None)
                continue
            try:
                number = float(cell) if type(cell) is not str or "_" not in cell else math.nan
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                self.errors.add(row, column, f"{str(cell).strip()!r} is not a number")
                numbers.append(None)
                continue
            numbers.append(number)
        num, den = numbers
        if num is not None and num < 0:
            self.errors.add(row, "numerator", f"{number_text(num)} is negative")
            num = None
        if den is not None and den <= 0:
            self.errors.add(row, "denominator", f"{number_text(den)} is not above 0")
            den = None
        if num is None or den is None:
            return False
        if info.data_kind == DataKind.PROPORTION and num > den:
            self.errors.add(
                row,
                "numerator",
                f"{number_text(num)} is more than the denominator {number_text(den)}: "
                f"{info.code} is a proportion",
            )
            return False
        computed = num / den * info.multiplier
        if str(value).strip() != "":
            try:
                stated = float(value)
            except ValueError:
                self.errors.add(row, "value", self._not_a_number(str(value)))
                return False
            # A value rounded to the metric's decimal places agrees.
            if abs(stated - computed) > 0.5 * 10**-info.decimal_places + 1e-9:
                self.errors.add(
                    row,
                    "value",
                    f"{number_text(stated)} is not numerator / denominator × "
                    f"{number_text(info.multiplier)} = {number_text(computed)}; leave the value "
                    "empty or give that",
                )
                return False
        return num, den, computed

    # The meaning of a name, the same for every path that reads uploads (see copy).

    def metric(self, text: str) -> MetricInfo | None:
        """The metric a cell names: its code exactly, or trimmed and in lower case."""
        info = self.metrics.get(text)
        return info if info is not None else self.metrics.get(text.strip().lower())

    def kind(self, text: str) -> str | None:
        """The subject type a cell names, or None."""
        if text in self.subjects:
            return text
        text = text.strip().lower()
        return text if text in self.subjects else None

    def subject(self, kind: str, text: str) -> int | Ambiguous | None:
        """The id of the subject of that type a cell names (key or name, any case), or None."""
        names = self.subjects[kind]
        found = names.get(text)
        return found if found is not None else names.get(text.strip().lower())

    def series_for(self, info: MetricInfo, kind: str, subject_id: int) -> int:
        """The series id, or a negative placeholder for a series the upload creates."""
        key = (info.id, kind, subject_id)
        series_id = self.series.get(key)
        if series_id is None:
            series_id = self.series[key] = -(len(self.new_series) + 1)
            self.new_series[series_id] = key
        return series_id

    def period(self, text: str) -> PeriodDates | PeriodProblem:
        """The period's form and ISO dates (cached), or why it is not a period."""
        parsed = self.periods.get(text)
        if parsed is None:
            parsed = self.periods[text] = self._period(text)
        return parsed

    def _period(self, text: str) -> PeriodDates | PeriodProblem:
        """The period's form and ISO dates, or why it is not a period."""
        if len(self.periods) > 100_000:
            self.periods.clear()
        if not text.strip():
            return PeriodProblem("the period is empty")
        try:
            period = period_parse(text)
        except ValueError as exc:
            return PeriodProblem(str(exc))
        if period.start > self.today:
            return PeriodProblem(
                f"{text.strip()!r} is in the future: observations are for periods that have begun"
            )
        return PeriodDates(
            period.frequency, period.start.isoformat(), period.end.isoformat(), period
        )

    def _number(self, row: int, value, info: MetricInfo | None) -> float | None:
        if type(value) is str:
            try:
                number = float(value)
            except ValueError:
                self.errors.add(row, "value", self._not_a_number(value))
                return None
            if "_" in value:
                self.errors.add(row, "value", self._not_a_number(value))
                return None
        else:
            number = float(value)
        if not math.isfinite(number):
            self.errors.add(
                row,
                "value",
                f"{str(value).strip()!r} is not a finite number: NaN and infinity are not allowed",
            )
            return None
        if info is not None:
            if info.minimum is not None and number < info.minimum:
                self.errors.add(
                    row,
                    "value",
                    f"{number_text(number)} is below the minimum "
                    f"{number_text(info.minimum)} for {info.code}",
                )
                return None
            if info.maximum is not None and number > info.maximum:
                self.errors.add(
                    row,
                    "value",
                    f"{number_text(number)} is above the maximum "
                    f"{number_text(info.maximum)} for {info.code}",
                )
                return None
        return number

    @staticmethod
    def _not_a_number(value: str) -> str:
        text = value.strip()
        if not text:
            return "the value is empty"
        hint = ""
        if text.endswith("%"):
            hint = " (leave out the % sign)"
        elif "," in text:
            hint = " (leave out thousands separators)"
        elif text.startswith("#"):
            hint = " (a spreadsheet error)"
        return f"{text!r} is not a number{hint}"

    def _bad_metric(self, row: int, metric: str) -> None:
        text = metric.strip()
        if not text:
            self.errors.add(row, "metric", "the metric is empty")
            return
        hint = ""
        if not self.errors.full:
            close = difflib.get_close_matches(text.lower(), self.metrics, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
        self.errors.add(row, "metric", f"unknown metric {text!r}{hint}")

    def _bad_subject(self, row: int, kind: str, subject: str, found) -> None:
        text = subject.strip()
        label = _SUBJECT_LABEL[kind]
        if not text:
            self.errors.add(row, "subject", "the subject is empty")
            return
        if isinstance(found, Ambiguous):
            self.errors.add(
                row,
                "subject",
                f"{text!r} names {len(found.keys)} {label}s ({', '.join(found.keys)}); "
                "use one of those instead",
            )
            return
        hint = ""
        if not self.errors.full:
            other = next(
                (t for t in SubjectType if t != kind and text.lower() in self.subjects[t]), None
            )
            if other is not None:
                hint = f"; {text!r} is {_a(_SUBJECT_LABEL[other])} (subject_type {other})"
            else:
                close = difflib.get_close_matches(text, self.names[kind], n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
        self.errors.add(row, "subject", f"no {label} {text!r}{hint}")

    @staticmethod
    def _wrong_form(info: MetricInfo, period: str, parsed: Period) -> str:
        need = FREQUENCY_NEEDS.get(info.frequency)
        if need is None:
            return (
                f"{info.code} is {info.frequency}: uploads of {info.frequency} metrics "
                "are not supported"
            )
        message = f"{info.code} is {need}, not {period.strip()!r}"
        if info.frequency == Frequency.MONTHLY and parsed.frequency == Frequency.POINT_IN_TIME:
            message += " (if a spreadsheet turned the month into a date, format the cells as text)"
        return message


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word
