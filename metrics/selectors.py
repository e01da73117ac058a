"""Reads for the metric pages: published snapshots as plain rows, numbers formatted once.

Pages never run SPC: the classification of every point, the limits and the icons come from the
latest published snapshot of each scope. What is computed here is presentation only: numbers
and periods as text, and the sentence that says in words why a point is special cause, read off
the limits the snapshot stored.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable, Sequence

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from governance.models import Membership, Organisation
from icsportal.api.renderers import neutralise
from icsportal.roles import can_see_system, visible_rows
from places.selectors import QualityFlags, outcome_titles

from . import spc
from .choices import (
    FRACTION_KINDS,
    Chart,
    DataKind,
    Frequency,
    Polarity,
    Provenance,
    SeriesProvenance,
    SnapshotStatus,
    SubjectType,
)
from .funnel import funnel, funnel_curves
from .models import Metric, Observation, Series, SeriesSummary, Snapshot, SystemMetric, Target
from .snapshots import LETTER_TYPES, SUMMARY_COLUMNS

# Words for the one-letter point types a snapshot stores (SeriesSummary.points["types"]).
TYPE_WORDS = {
    "c": "Common cause",
    "I": "Special cause improvement",
    "C": "Special cause concern",
    "N": "Special cause (neutral)",
}
RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red", "grey": "No target"}

CONCERN_VARIATIONS = ("concern_high", "concern_low")
IMPROVEMENT_VARIATIONS = ("improvement_high", "improvement_low")


# -- formatting ----------------------------------------------------------------------------------


def format_number(value: float | None, decimals: int) -> str:
    """``value`` with thousands separators and ``decimals`` places; '' for none or NaN."""
    if value is None or not math.isfinite(value):
        return ""
    return f"{value:,.{decimals}f}"


def format_measure(value: float | None, *, decimals: int, unit: str) -> str:
    """A value as the pages show it: '4,263', '5.07%'."""
    text = format_number(value, decimals)
    return f"{text}%" if text and unit == "%" else text


# Read once: calendar's month names look the locale up on every access, and pages format
# thousands of periods.
MONTH_NAMES = tuple(calendar.month_name)
MONTH_ABBREVIATIONS = tuple(calendar.month_abbr)


def _financial_year(day: dt.date) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def format_period(day: dt.date | None, frequency: str, *, long: bool = False) -> str:
    """A period as people say it: 'Mar 2020' (or 'March 2020'), '2019/20', 'Q1 2019/20',
    '31 Aug 2019'."""
    if day is None:
        return ""
    if frequency == Frequency.ANNUAL:
        return _financial_year(day)
    if frequency == Frequency.QUARTERLY:
        return f"Q{(day.month - 4) % 12 // 3 + 1} {_financial_year(day)}"
    month = (MONTH_NAMES if long else MONTH_ABBREVIATIONS)[day.month]
    if frequency == Frequency.POINT_IN_TIME:
        return f"{day.day} {month} {day.year}"
    return f"{month} {day.year}"


# -- snapshots -----------------------------------------------------------------------------------


def latest_snapshots(*, system_id: int | None = None) -> QuerySet[Snapshot]:
    """The newest published snapshot of every scope (of one system, or of all), in one query.

    The same choice as ``snapshots.latest_snapshot``, made for every scope at once with a
    correlated subquery.
    """
    newest = (
        Snapshot.objects.filter(scope_key=OuterRef("scope_key"), status=SnapshotStatus.PUBLISHED)
        .order_by("-published_at", "-id")
        .values("pk")[:1]
    )
    qs = Snapshot.objects.filter(status=SnapshotStatus.PUBLISHED, pk=Subquery(newest))
    return qs if system_id is None else qs.filter(system_id=system_id)


# Rows show no limits (charts read them from the points), and reach the series by its join.
_NOT_ON_ROWS = ("series_id", "mean", "lower", "upper")
SUMMARY_ROW_FIELDS = (
    *(c for c in SUMMARY_COLUMNS if c not in _NOT_ON_ROWS),
    "series__subject_type",
    "series__metric__code",
    "series__metric__name",
    "series__metric__short_name",
    "series__metric__unit",
    "series__metric__decimal_places",
    "series__metric__frequency",
    "series__metric__category",
    "series__metric__outcome",
    "series__metric__is_synthetic",
    "series__metric__owner_board__name",
    "series__metric__owner_board__slug",
    "series__place__name",
    "series__place__slug",
    "series__organisation__name",
    "series__system__name",
)


def _summaries() -> QuerySet[SeriesSummary]:
    # series__metric: names, units, polarity; owner_board: the matrix links it;
    # place/organisation/system: the subject's name on every row.
    # only(): what summary_row reads; a row builds five model instances, and their other
    # columns (definitions, notes, citations) would cost more than the row itself.
    return SeriesSummary.objects.select_related(
        "series__metric__owner_board",
        "series__place",
        "series__organisation",
        "series__system",
    ).only(*SUMMARY_ROW_FIELDS)


def is_synthetic(summary: SeriesSummary) -> bool:
    """Whether a series is illustrative: a synthetic metric, or made of synthetic points."""
    return summary.series.metric.is_synthetic or summary.provenance == SeriesProvenance.SYNTHETIC


def subject_name(series: Series) -> str:
    subject = series.subject
    return subject.name if subject is not None else ""


def subject_url(series: Series) -> str:
    return series.place.get_absolute_url() if series.place_id else ""


def chart_anchor(series_id: int) -> str:
    return f"series-{series_id}"


# -- the finding in words ------------------------------------------------------------------------


def _segment_at(segments: Sequence[Sequence], index: int) -> Sequence | None:
    found = None
    for segment in segments:
        if segment[0] <= index:
            found = segment
    return found


def _finite(value) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def special_cause_reason(
    *,
    values: Sequence[float],
    labels: Sequence[str],
    segment: Sequence,
    segment_start: int,
    fmt,
    truncated: bool = False,
) -> str:
    """Which pattern makes the last point special cause, read off the stored limits.

    ``values`` and ``labels`` end at the last point; ``segment_start`` is the index (into
    ``values``) where the last point's segment starts, or 0 when it starts earlier.
    ``truncated``: the series has points before ``values[0]`` in the same segment, so a run
    that reaches the first value may be longer.
    """
    last = len(values) - 1
    x = values[last]
    mean, lower, upper, lower2, upper2 = (_finite(v) for v in segment[1:6])
    at = labels[last]
    # The rules in the engine's order of precedence: a limit, a trend, two of three, a run.
    if upper is not None and x > upper:
        return (
            f"the latest value ({fmt(x)} in {at}) is above the upper process limit ({fmt(upper)})"
        )
    if lower is not None and x < lower:
        return (
            f"the latest value ({fmt(x)} in {at}) is below the lower process limit ({fmt(lower)})"
        )
    if last > segment_start and values[last] != values[last - 1]:
        rising = values[last] > values[last - 1]
        trend = 1
        for j in range(last, segment_start, -1):
            step = values[j] - values[j - 1]
            if step == 0 or (step > 0) != rising:
                break
            trend += 1
        if trend >= spc.TREND_LENGTH:
            way = "rising" if rising else "falling"
            since = labels[last - trend + 1]
            if truncated and last - trend + 1 == 0:
                return f"at least {trend} points in a row {way}, since {since} or earlier"
            return f"{trend} points in a row {way}, since {since}"
    if mean is None or x == mean:
        return "the latest points meet one of the special-cause rules"
    above = x > mean

    def close(v: float) -> bool:
        if above:
            return upper2 is not None and upper2 < v and (upper is None or v <= upper)
        return lower2 is not None and v < lower2 and (lower is None or v >= lower)

    window = values[last - 2 :] if last - 2 >= segment_start else []
    if (
        window
        and close(x)
        and all((v > mean) == above and v != mean for v in window)
        and sum(close(v) for v in window) >= 2
    ):
        side = "upper" if above else "lower"
        return f"two of the last three points are close to the {side} process limit"
    run = 0
    for j in range(last, segment_start - 1, -1):
        if values[j] == mean or (values[j] > mean) != above:
            break
        run += 1
    if run >= spc.RUN_LENGTH:
        side = "above" if above else "below"
        since = labels[last - run + 1]
        if truncated and last - run + 1 == 0:
            return f"at least {run} points in a row {side} the mean, since {since} or earlier"
        return f"{run} points in a row {side} the mean since {since}"
    return "the latest points meet one of the special-cause rules"


def finding(
    *,
    values: Sequence[float],
    labels: Sequence[str],
    types: str,
    segments: Sequence[Sequence],
    offset: int,
    assurance: str,
    target: float | None,
    provisional: bool,
    fmt,
    points_needed: int = 0,
    point_count: int | None = None,
) -> str:
    """The finding in plain English, e.g. 'Special cause concern: 7 points in a row above the
    mean since March 2019. The target (44.4) is met in some periods and missed in others.'

    ``values``, ``labels`` and ``types`` are the last points of a series whose first one has
    index ``offset`` in the snapshot's segments. ``points_needed`` > 0: the series has too few
    points for SPC (``spc.shows_spc``), and the finding says so instead of reading limits.
    """
    if not values:
        return "There are no observations yet."
    last = len(values) - 1
    if points_needed:
        count = point_count or len(values)
        latest = f"{fmt(values[last])} in {labels[last]}"
        if count == 1:
            sentence = f"One value so far ({latest})."
        else:
            sentence = f"{count} values so far, the latest {latest}."
        target_text = (
            f"The target is {fmt(target)}." if target is not None else "There is no target."
        )
        return (
            f"{sentence} {target_text} SPC needs at least {spc.MIN_POINTS} points, so there is "
            f"no variation or assurance yet: {points_needed} more "
            f"point{'s' if points_needed != 1 else ''} needed."
        )
    letter = types[-1] if types else "c"
    segment = _segment_at(segments, offset + last)
    if letter == "c" or segment is None:
        sentence = (
            f"Common cause variation: the latest value ({fmt(values[last])} in {labels[last]}) "
            "shows no special-cause pattern."
        )
    else:
        reason = special_cause_reason(
            values=values,
            labels=labels,
            segment=segment,
            segment_start=max(0, segment[0] - offset),
            fmt=fmt,
            truncated=segment[0] < offset,
        )
        sentence = f"{TYPE_WORDS[letter]}: {reason}."
    parts = [sentence]
    if target is not None:
        t = fmt(target)
        parts.append(
            {
                "consistent_pass": f"The target ({t}) is met consistently.",
                "consistent_fail": (
                    f"The target ({t}) is not met consistently: it lies outside the process "
                    "limits, so the process will not meet it without change."
                ),
                "hit_and_miss": (
                    f"The target ({t}) lies within the process limits: it is met in some "
                    "periods and missed in others."
                ),
            }.get(assurance, f"The target is {t}.")
        )
    else:
        parts.append("There is no target for this period.")
    if provisional and len(values) > 1:
        parts.append(
            f"The limits are provisional: they rest on fewer than {spc.MIN_POINTS} points."
        )
    return " ".join(parts)


# -- rows ----------------------------------------------------------------------------------------


_SLUG_MARK = "zz0slug0zz"


def _slug_url(urls: dict, name: str, kwarg: str, slug: str) -> str:
    """``reverse(name, kwargs={kwarg: slug})`` for a URL whose one argument is a slug: the
    pattern is reversed once per ``urls`` dict and the slug put in its place (a slug needs no
    quoting), because reversing costs more than the rest of a row."""
    parts = urls.get(name)
    if parts is None:
        parts = urls[name] = reverse(name, kwargs={kwarg: _SLUG_MARK}).split(_SLUG_MARK)
    return f"{parts[0]}{slug}{parts[1]}"


def summary_row(summary: SeriesSummary, *, urls: dict | None = None) -> dict:
    """One series as a plain row for matrices and tiles: every number already text.

    ``urls``: a dict the caller keeps across its rows, so that each metric's, Place's and
    board's URL is reversed once rather than once per row.
    """
    series = summary.series
    metric = series.metric
    board = metric.owner_board
    urls = {} if urls is None else urls

    def fmt(v):
        return format_measure(v, decimals=metric.decimal_places, unit=metric.unit)

    points = summary.points or {}
    recent = points.get("recent") or {}
    recent_values = recent.get("values") or []
    types = points.get("types") or ""
    recent_types = types[-len(recent_values) :] if recent_values else ""
    # The finding names one or two of these periods: each is formatted when it is named.
    recent_labels = _PeriodLabels(recent.get("periods") or [], metric.frequency)
    has_data = summary.point_count > 0
    needed = points_needed(summary) if has_data else 0
    shows_spc = has_data and not needed
    metric_url = _slug_url(urls, "metrics:metric_detail", "code", metric.code)
    place_url = ""
    if series.place_id:
        place_url = _slug_url(urls, "assurance:place_detail", "slug", series.place.slug)
    board_url = ""
    if board is not None:
        board_url = urls.get(("board", board.pk))
        if board_url is None:
            board_url = urls[("board", board.pk)] = board.get_absolute_url()
    return {
        "series_id": series.pk,
        "metric_id": metric.pk,
        "metric_code": metric.code,
        "metric_name": metric.name,
        "metric_short_name": metric.short_name,
        "metric_url": metric_url,
        "category": metric.get_category_display(),
        "outcome": metric.outcome,
        "unit": "" if metric.unit == "%" else metric.unit,
        "subject": subject_name(series),
        "subject_type": series.subject_type,
        "subject_url": place_url,
        "organisation_id": series.organisation_id,
        "place_id": series.place_id,
        # ?series= opens the metric's page at the system and page of charts that show it
        "chart_url": f"{metric_url}?series={series.pk}#{chart_anchor(series.pk)}",
        "has_data": has_data,
        "has_trend": len(recent_values) > 1,
        "value": fmt(summary.latest_value),
        "period": format_period(summary.latest_period, metric.frequency),
        "target": fmt(summary.target_value),
        "target_period": summary.target_period_label,
        "rag": summary.rag,
        "rag_label": RAG_WORDS.get(summary.rag, summary.rag),
        "variation": summary.variation if shows_spc else "",
        "variation_label": spc.LABELS.get(summary.variation, "") if shows_spc else "",
        "assurance": summary.assurance if shows_spc else "",
        "assurance_label": spc.LABELS.get(summary.assurance, "") if shows_spc else "",
        "is_concern": shows_spc and summary.variation in CONCERN_VARIATIONS,
        "is_improvement": shows_spc and summary.variation in IMPROVEMENT_VARIATIONS,
        "synthetic": is_synthetic(summary),
        "provisional": summary.provisional,
        "spc": shows_spc,
        "points_needed": needed,
        "point_count": summary.point_count,
        "owner_board": board.name if board else "",
        "owner_board_url": board_url,
        "spark": {
            "values": recent_values,
            "types": recent_types,
            "label": (
                f"{metric.short_name}, {subject_name(series)}: the last {len(recent_values)} "
                f"points, from {fmt(recent_values[0])} to {fmt(recent_values[-1])}"
                if recent_values
                else ""
            ),
        },
        "finding": finding(
            values=recent_values,
            labels=recent_labels,
            types=recent_types,
            segments=points.get("segments") or [],
            offset=summary.point_count - len(recent_values),
            assurance=summary.assurance,
            target=summary.target_value,
            provisional=summary.provisional,
            fmt=fmt,
            points_needed=needed,
            point_count=summary.point_count,
        )
        if has_data
        else "No observations yet.",
        "value_source": "",
        "target_source": "",
    }


class _PeriodLabels(Sequence):
    """ISO dates as long period labels, each formatted only when it is read."""

    def __init__(self, periods: Sequence[str], frequency: str):
        self.periods, self.frequency = periods, frequency

    def __len__(self) -> int:
        return len(self.periods)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        day = dt.date.fromisoformat(self.periods[index])
        return format_period(day, self.frequency, long=True)


def points_needed(summary: SeriesSummary) -> int:
    """How many more points the series' last segment needs before SPC is shown (0: enough).

    A snapshot marks such a series ``provisional`` (and, since spc.shows_spc, publishes no
    icons for it); snapshots published before that still hold icons, which this hides too.
    """
    if not summary.provisional:
        return 0
    segments = (summary.points or {}).get("segments") or []
    start = int(segments[-1][0]) if segments else 0
    return spc.points_needed(summary.point_count - start)


def _row_order(row: dict) -> tuple:
    kinds = {SubjectType.SYSTEM: 0, SubjectType.PLACE: 1, SubjectType.ORGANISATION: 2}
    return (row["metric_short_name"].lower(), kinds.get(row["subject_type"], 3), row["subject"])


def variation_counts(rows: Iterable[dict]) -> dict:
    """How many series show concern, improvement, common cause; and each assurance."""
    counts = {
        "concern": 0,
        "improvement": 0,
        "neutral": 0,
        "common_cause": 0,
        "no_data": 0,
        "too_few": 0,
        "consistent_pass": 0,
        "consistent_fail": 0,
        "hit_and_miss": 0,
        "total": 0,
    }
    for row in rows:
        counts["total"] += 1
        if not row["has_data"]:
            counts["no_data"] += 1
        elif not row["spc"]:
            counts["too_few"] += 1
        elif row["is_concern"]:
            counts["concern"] += 1
        elif row["is_improvement"]:
            counts["improvement"] += 1
        elif row["variation"].startswith("neutral"):
            counts["neutral"] += 1
        else:
            counts["common_cause"] += 1
        if row["assurance"] in counts:
            counts[row["assurance"]] += 1
    return counts


def attach_sources(rows: list[dict], snapshot_ids) -> None:
    """Put on each row the citation of its documented latest value and of its target.

    Two queries, whatever the number of rows.
    """
    by_series = {row["series_id"]: row for row in rows}
    if not by_series:
        return
    # The series are those of the snapshots' summaries (a join, not a list of thousands of
    # ids); the rows may be some of them only, so the others are passed over.
    latest = Observation.objects.filter(
        provenance=Provenance.DOCUMENT,
        series__summaries__snapshot_id__in=snapshot_ids,
        # The latest period of the series in the snapshot the row came from.
        period_start=F("series__summaries__latest_period"),
    ).values_list("series_id", "source_document__short_title", "source_line")
    for series_id, title, line in latest:
        if title and series_id in by_series:
            by_series[series_id]["value_source"] = f"{title}, line {line}" if line else title
    # Only a documented target has a citation to show.
    targets = Target.objects.filter(
        source_document__isnull=False, series__summaries__snapshot_id__in=snapshot_ids
    ).values_list("series_id", "period_label", "source_document__short_title", "source_line")
    for series_id, label, title, line in targets:
        row = by_series.get(series_id)
        if row is None:
            continue
        if title and label == row["target_period"] and row["target"]:
            row["target_source"] = f"{title}, line {line}" if line else title


def system_rows(*, system_id: int) -> list[dict]:
    """Every series of a system, as rows, from the latest snapshot of each of its scopes."""
    snapshots = latest_snapshots(system_id=system_id).values("pk")
    urls: dict = {}
    # order_by(): the rows are sorted below; the model's ordering would join the snapshots.
    summaries = _summaries().filter(snapshot_id__in=snapshots).order_by()
    rows = [summary_row(s, urls=urls) for s in summaries]
    attach_sources(rows, snapshots)
    rows.sort(key=_row_order)
    return rows


def place_rows(*, place, snapshot_ids: list[int] | None = None) -> list[dict]:
    """The series on a Place's page: its own, and those of the organisations linked to it.

    A Place's snapshot holds its Place series; the system snapshot holds the organisation
    series, of which the Place shows those of the organisations that serve it.
    ``snapshot_ids``: those two snapshots, when the caller has read them already.
    """
    # The Place's snapshot and the system's: filtering the snapshots (not the summaries' join
    # to them) lets PostgreSQL read just their summaries.
    if snapshot_ids is not None:
        snapshots = list(snapshot_ids)
    else:
        snapshots = (
            latest_snapshots(system_id=place.system_id)
            .filter(Q(place=place) | Q(place=None))
            .values("pk")
        )
    serving = Organisation.objects.filter(places=place).values("pk")
    summaries = (
        _summaries()
        .filter(snapshot_id__in=snapshots)
        .filter(Q(series__place=place) | Q(series__organisation_id__in=serving))
        # the rows are sorted below; the model's ordering would join the snapshots again
        .order_by()
    )
    urls: dict = {}
    rows = [summary_row(s, urls=urls) for s in summaries]
    attach_sources(rows, snapshots)
    rows.sort(key=_row_order)
    return rows


# -- the metric page -----------------------------------------------------------------------------


def owner_board_with_members(metric: Metric, system_id: int | None = None):
    """The metric's owner board (in the system ``system_id``, where that system uses the
    metric: each system that uses a national metric has its own) with its seats today as
    ``current``: one query when the board came with the metric
    (``select_related("owner_board")``) and it is the named system's, two or three otherwise."""
    board = metric.owner_board
    if system_id is not None and (board is None or board.system_id != system_id):
        use = (
            SystemMetric.objects.filter(system_id=system_id, metric=metric)
            .select_related("owner_board")
            .first()
        )
        board = use.owner_board if use is not None else board
    if board is None:
        return None
    # current: the page lists who sits on the owning board today (the same prefetch as
    # Board.objects.with_current_members(), made on the board the metric brought)
    prefetch_related_objects(
        [board],
        Prefetch(
            "memberships",
            queryset=Membership.objects.active_on(timezone.localdate()).select_related(
                "person", "on_behalf_of", "source_document"
            ),
            to_attr="current",
        ),
    )
    return board


def member_rows(board) -> list[dict]:
    """A board's current seats as rows: who (or why no one), for whom, in what role."""
    rows = []
    for m in board.current:
        if m.person_id:
            who = m.person.name
        elif m.person_not_named:
            who = "Not named in the source"
        else:
            who = "Vacant"
        rows.append(
            {
                "who": who,
                "organisation": m.on_behalf_of.name if m.on_behalf_of_id else "",
                "role": m.get_role_display(),
                "role_code": m.role,
                "label": m.label,
                "vacant": m.is_vacant,
                "source": m.citation,
            }
        )
    return rows


def _targets_by_point(targets: list[Target], periods: list[dt.date]) -> list[float | None]:
    out = []
    for day in periods:
        found = None
        for t in targets:
            if t.value is not None and t.period_start <= day <= t.period_end:
                found = t.value
        out.append(found)
    return out


def subjects_of(system_id: int | None, prefix: str = "") -> Q:
    """The series whose subject is ``system_id``'s: the system, its Places, its organisations
    (every series when ``system_id`` is None). ``prefix``: the path to the series, e.g.
    'series__'."""
    if system_id is None:
        return Q()
    return (
        Q(**{f"{prefix}system_id": system_id})
        | Q(**{f"{prefix}place__system_id": system_id})
        | Q(**{f"{prefix}organisation__system_id": system_id})
    )


def metric_charts(
    *, metric: Metric, system_id: int | None = None, flags: QualityFlags | None = None
) -> dict:
    """The charts and data tables of a metric's series, and its targets: those of one system's
    subjects (the system, its Places, its organisations), or of every subject; with ``flags``,
    each target row has the data-quality doubts about its line.

    Four queries: the series, their targets, the latest summaries, the observations.
    """
    # place/organisation/system: each chart's subject; targets: the target column and table
    series_list = list(
        metric.series.filter(subjects_of(system_id))
        .select_related("place", "organisation", "system")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.select_related("source_document")),
            # annotations: drawn on each chart and listed under it
            "annotations",
        )
    )
    summaries = {
        s.series_id: s
        for s in SeriesSummary.objects.filter(
            series__metric=metric,
            snapshot_id__in=latest_snapshots(system_id=system_id).values("pk"),
        )
    }
    observations: dict[int, list[tuple]] = {}
    for row in (
        Observation.objects.filter(subjects_of(system_id, "series__"), series__metric=metric)
        .order_by("series_id", "period_start")
        .values_list(
            "series_id",
            "period_start",
            "value",
            "provenance",
            "source_document__short_title",
            "source_line",
        )
    ):
        observations.setdefault(row[0], []).append(row[1:])

    def fmt(v):
        return format_measure(v, decimals=metric.decimal_places, unit=metric.unit)

    kinds = {SubjectType.SYSTEM: 0, SubjectType.PLACE: 1, SubjectType.ORGANISATION: 2}
    series_list.sort(key=lambda s: (kinds.get(s.subject_type, 3), subject_name(s)))
    charts, target_rows = [], []
    for series in series_list:
        targets = list(series.targets.all())
        for t in targets:
            target_rows.append(
                {
                    "subject": subject_name(series),
                    "period": t.period_label,
                    "value": fmt(t.value) if t.value is not None else t.as_written,
                    "note": t.note,
                    "source": t.citation,
                    "flags": flags.of(t) if flags is not None else [],
                }
            )
        charts.append(_chart(metric, series, summaries.get(series.pk), targets, observations, fmt))
    return {"charts": charts, "target_rows": target_rows}


def metric_detail(*, metric: Metric, system_id: int | None = None) -> dict:
    """Everything the metric page shows: its series' charts and tables (of one system's
    subjects, or of all), targets, owner board with its members, statements.

    A fixed number of queries: those of ``metric_charts``, the statements and the owner board
    with its members.
    """
    board = owner_board_with_members(metric, system_id)
    return {
        **metric_charts(metric=metric, system_id=system_id),
        "owner_board": board,
        "owner_members": member_rows(board) if board else [],
        "statements": list(
            metric.statements.filter(
                **({"system_id": system_id} if system_id is not None else {})
            ).select_related("source_document")
        ),
        "synthetic": metric.is_synthetic,
    }


def snapshot_charts(summaries: Sequence[SeriesSummary]) -> list[dict]:
    """The chart of each summary's series as the metric page draws it, from that summary's
    snapshot (its point types, segments and limits), in the order given.

    Each summary needs its series and the series' metric selected. Three queries: the series'
    targets and annotations, and their observations.
    """
    if not summaries:
        return []
    series_ids = {s.series_id for s in summaries}
    series_by_id = {
        series.pk: series
        for series in Series.objects.filter(pk__in=series_ids).prefetch_related(
            Prefetch("targets", queryset=Target.objects.select_related("source_document")),
            "annotations",
        )
    }
    observations: dict[int, list[tuple]] = {}
    for row in (
        Observation.objects.filter(series_id__in=series_ids)
        .order_by("series_id", "period_start")
        .values_list(
            "series_id",
            "period_start",
            "value",
            "provenance",
            "source_document__short_title",
            "source_line",
        )
    ):
        observations.setdefault(row[0], []).append(row[1:])
    charts = []
    for summary in summaries:
        metric = summary.series.metric
        series = series_by_id[summary.series_id]

        def fmt(v, metric=metric):
            return format_measure(v, decimals=metric.decimal_places, unit=metric.unit)

        targets = list(series.targets.all())
        charts.append(_chart(metric, series, summary, targets, observations, fmt))
    return charts


def _chart(metric, series, summary, targets, observations, fmt) -> dict:
    """One series' chart and data table; the points are those the snapshot classified."""
    name = subject_name(series)
    chart = {
        "id": chart_anchor(series.pk),
        "subject": name,
        "subject_url": subject_url(series),
        "title": f"{metric.short_name}: {name}",
        "has_summary": summary is not None,
        "synthetic": metric.is_synthetic,
        "values": [],
        "rows": [],
    }
    if summary is None:
        chart["desc"] = "Not yet in a published snapshot: the nightly recompute has not run."
        return chart
    points = summary.points or {}
    all_types = points.get("types") or ""
    # The snapshot classified the series' points up to latest_period; points uploaded since
    # wait for the next recompute.
    obs = [
        o
        for o in observations.get(series.pk, [])
        if summary.latest_period and o[0] <= summary.latest_period
    ]
    obs = obs[-len(all_types) :] if all_types else []
    # Fewer observations than classified points only if some were deleted since the snapshot:
    # draw the last ones, with the segments shifted to match.
    offset = len(all_types) - len(obs)
    types = all_types[offset:]
    segments = [[max(0, s[0] - offset), *s[1:]] for s in points.get("segments") or []]
    # Other charts than XmR: centre and 3-sigma limits per point (a p chart's follow n).
    point_limits = [column[offset:] for column in points.get("limits") or []]
    periods = [o[0] for o in obs]
    values = [o[1] for o in obs]
    labels = [format_period(p, metric.frequency) for p in periods]
    long_labels = [format_period(p, metric.frequency, long=True) for p in periods]
    point_targets = _targets_by_point(targets, periods)
    synthetic = metric.is_synthetic or any(o[2] == Provenance.SYNTHETIC for o in obs)
    rows = []
    for i, (period_label, value, o) in enumerate(zip(labels, values, obs, strict=True)):
        segment = _segment_at(segments, i) or [0, None, None, None, None, None]
        if point_limits:
            segment = [segment[0], *(column[i] for column in point_limits)]
        if o[2] == Provenance.SYNTHETIC:
            source = "synthetic (illustrative)"
        elif o[3]:
            source = f"{o[3]}, line {o[4]}" if o[4] else o[3]
        else:
            source = "Uploaded" if o[2] == Provenance.UPLOAD else ""
        rows.append(
            {
                "period": period_label,
                "value": fmt(value),
                "mean": fmt(_finite(segment[1])),
                "lower": fmt(_finite(segment[2])),
                "upper": fmt(_finite(segment[3])),
                "target": fmt(point_targets[i]),
                "type": TYPE_WORDS.get(types[i], ""),
                "special": types[i] in "ICN",
                "source": source,
                "synthetic": o[2] == Provenance.SYNTHETIC,
                "csv": [
                    periods[i].isoformat(),
                    _plain(value),
                    _plain(_finite(segment[1])),
                    _plain(_finite(segment[2])),
                    _plain(_finite(segment[3])),
                    _plain(point_targets[i]),
                    LETTER_TYPES.get(types[i], ""),
                    o[2],
                    source,
                ],
            }
        )
    needed = points_needed(summary) if values else 0
    desc = finding(
        values=values,
        labels=long_labels,
        types=types,
        segments=segments,
        offset=0,
        assurance=summary.assurance,
        target=summary.target_value,
        provisional=summary.provisional,
        fmt=fmt,
        points_needed=needed,
        point_count=summary.point_count,
    )
    chart_kind = points.get("chart") or "i"
    baseline = points.get("baseline")
    baseline_label = ""
    if baseline and baseline[1] - offset >= 0:
        first, last = (max(0, k - offset) for k in baseline)
        baseline_label = (
            f"Limits fixed from {long_labels[first]} to {long_labels[min(last, len(obs) - 1)]}"
        )
        desc = f"{desc} {baseline_label}."
    annotations = _annotations(series, periods, metric.frequency)
    if annotations:
        desc = (
            f"{desc} Annotated: "
            + "; ".join(f"{a['period']}, {a['label']}" for a in annotations)
            + "."
        )
    chart.update(
        {
            "chart_kind": chart_kind,
            "chart_label": Chart(chart_kind).label if chart_kind in Chart.values else "",
            "limits": point_limits,
            "baseline": baseline_label,
            "annotations": annotations,
            "desc": desc,
            "values": values,
            "labels": labels,
            "types": types,
            "segments": segments,
            "targets": point_targets,
            "decimals": metric.decimal_places,
            "unit": metric.unit,
            "rows": rows,
            "synthetic": synthetic,
            "value": fmt(summary.latest_value),
            "period": format_period(summary.latest_period, metric.frequency),
            "target": fmt(summary.target_value),
            "target_period": summary.target_period_label,
            "rag": summary.rag,
            "rag_label": RAG_WORDS.get(summary.rag, summary.rag),
            # Too few points for SPC: no icons, no limits, no chart (the values as a table).
            "spc": bool(values) and not needed,
            "points_needed": needed,
            "min_points": spc.MIN_POINTS,
            "variation": summary.variation if values and not needed else "",
            "variation_label": (
                spc.LABELS.get(summary.variation, "") if values and not needed else ""
            ),
            "assurance": summary.assurance if not needed else "",
            "assurance_label": spc.LABELS.get(summary.assurance, "") if not needed else "",
            "provisional": summary.provisional,
            "improvement": spc.LABELS[
                {
                    Polarity.HIGHER_IS_BETTER: "increase",
                    Polarity.LOWER_IS_BETTER: "decrease",
                }.get(metric.polarity, "neutral")
            ],
        }
    )
    return chart


def _annotations(series, periods: list[dt.date], frequency: str) -> list[dict]:
    """The series' annotations, each at the first drawn point on or after its period (the
    last point for a later one); those before the first drawn point are left off."""
    out = []
    for note in series.annotations.all():
        if not periods or note.period < periods[0]:
            continue
        index = next((i for i, p in enumerate(periods) if p >= note.period), len(periods) - 1)
        out.append(
            {
                "index": index,
                "number": len(out) + 1,
                "kind": note.get_kind_display(),
                "label": note.label,
                "text": note.text,
                "period": format_period(note.period, frequency, long=True),
            }
        )
    return out


def _plain(value: float | None) -> str:
    """A number for a CSV file: no separators, no unit, at most six decimal places."""
    return "" if value is None else repr(round(value, 6))


CSV_HEADER = [
    "metric",
    "subject",
    "period_start",
    "value",
    "mean",
    "lower_limit",
    "upper_limit",
    "target",
    "point_type",
    "provenance",
    "source",
]


def metric_csv_rows(metric: Metric, detail: dict) -> Iterable[list[str]]:
    """The data tables of a metric page as CSV rows, header first: plain numbers, ISO dates,
    and text a spreadsheet would run as a formula given a leading quote."""
    yield CSV_HEADER
    for chart in detail["charts"]:
        for row in chart["rows"]:
            *figures, source = row["csv"]
            yield [metric.code, neutralise(chart["subject"]), *figures, neutralise(source)]


# -- the metrics index ---------------------------------------------------------------------------


def with_uses(metrics: QuerySet[Metric]) -> QuerySet[Metric]:
    """Metrics with their owner board and each system's use of them (``uses``, by system
    name, with its owner board): all that ``owner_board_seen_by`` reads (two queries)."""
    uses = SystemMetric.objects.select_related("owner_board").order_by("system__name", "id")
    return metrics.select_related("owner_board").prefetch_related(Prefetch("uses", queryset=uses))


def owner_board_seen_by(metric: Metric, user):
    """The metric's owner board in a system the user holds: its own (that of the system that
    loaded it first) where the user holds that system, else that of the first system by name
    the user holds that uses it; None when there is none. Needs ``with_uses``."""
    own = metric.owner_board
    if own is None or can_see_system(user, own.system_id):
        return own
    return next(
        (use.owner_board for use in metric.uses.all() if can_see_system(user, use.system_id)),
        None,
    )


def metric_index_rows(metrics: Iterable[Metric], user) -> list[dict]:
    """Each metric (read ``with_uses``) with how many subjects of the user's systems it is
    measured for and how many show concern, and its owner board in a system the user holds.

    One query for the counts, from the latest snapshots, whatever the number of metrics.
    """
    metrics = list(metrics)
    outcomes = outcome_titles()
    counts: dict[int, dict] = {m.pk: {"series": 0, "concern": 0, "improvement": 0} for m in metrics}
    summaries = SeriesSummary.objects.filter(
        series__metric__in=[m.pk for m in metrics],
        snapshot_id__in=latest_snapshots().values("pk"),
    )
    for metric_id, variation in visible_rows(user, summaries).values_list(
        "series__metric_id", "variation"
    ):
        c = counts[metric_id]
        c["series"] += 1
        c["concern"] += variation in CONCERN_VARIATIONS
        c["improvement"] += variation in IMPROVEMENT_VARIATIONS
    rows = []
    for m in metrics:
        board = owner_board_seen_by(m, user)
        rows.append(
            {
                "code": m.code,
                "name": m.name,
                "short_name": m.short_name,
                "url": m.get_absolute_url(),
                "category": m.get_category_display(),
                "outcome": outcomes.get(m.outcome, m.outcome),
                "unit": m.unit,
                "polarity": m.get_polarity_display(),
                "frequency": m.get_frequency_display(),
                "owner_board": board.name if board else "",
                "owner_board_url": board.get_absolute_url() if board else "",
                "synthetic": m.is_synthetic,
                "source": m.citation,
                **counts[m.pk],
            }
        )
    return rows


# -- comparing subjects: funnel plots ------------------------------------------------------------


class CompareError(ValueError):
    """A comparison that cannot be made: ``field`` names the parameter at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


FLAG_WORDS = {1: "above", -1: "below", 0: "within"}


def compare_periods(metric: Metric, subject_type: str) -> list[dt.date]:
    """The periods with a numerator and denominator for some subject of that type, newest
    first."""
    return list(
        Observation.objects.filter(
            series__metric=metric,
            series__subject_type=subject_type,
            numerator__isnull=False,
        )
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .distinct()
    )


def metric_compare(*, metric: Metric, period: dt.date, subject_type: str) -> dict:
    """A funnel plot of every subject of ``subject_type`` (in every system) for ``metric`` in
    the period starting ``period``: Spiegelhalter's 95% and 99.8% limits with over-dispersion
    (``metrics.funnel``). Two queries. Raises CompareError naming the parameter at fault."""
    if metric.data_kind not in FRACTION_KINDS:
        raise CompareError(
            "metric",
            f"{metric.code} is {metric.get_data_kind_display().lower()}: funnel plots compare "
            "proportions and rates, which have numerators and denominators.",
        )
    rows = list(
        Observation.objects.filter(
            series__metric=metric,
            series__subject_type=subject_type,
            period_start=period,
            numerator__isnull=False,
            denominator__isnull=False,
        )
        # subject and system: each unit is named with its system
        .select_related(
            "series__place__system",
            "series__organisation__system",
            "series__system",
        )
        .order_by("series_id")
    )
    if not rows:
        raise CompareError(
            "period", f"No {subject_type} has a numerator and denominator for {period}."
        )
    nums = [o.numerator for o in rows]
    dens = [o.denominator for o in rows]
    kind = "proportion" if metric.data_kind == DataKind.PROPORTION else "rate"
    transform = "sqrt" if kind == "rate" and min(nums) == 0 else None
    result = funnel(nums, dens, kind=kind, multiplier=metric.multiplier, transform=transform)
    curves = funnel_curves(result, points=60)

    def fmt(v):
        return format_measure(v, decimals=metric.decimal_places, unit=metric.unit)

    units = []
    for i, o in enumerate(rows):
        series = o.series
        subject = series.subject
        system = series.system or getattr(series.place or series.organisation, "system", None)
        flag95, flag99 = int(result.flag95[i]), int(result.flag99[i])
        units.append(
            {
                "subject": subject_name(series),
                "subject_slug": series.subject_slug,
                "subject_type": series.subject_type,
                "system": system.name if system else "",
                "system_slug": system.slug if system else "",
                "url": subject.get_absolute_url() if series.place_id else "",
                "numerator": o.numerator,
                "denominator": o.denominator,
                "value": float(result.values[i]),
                "value_text": fmt(float(result.values[i])),
                "z": float(result.z[i]),
                "ll99": float(result.ll99[i]),
                "ll95": float(result.ll95[i]),
                "ul95": float(result.ul95[i]),
                "ul99": float(result.ul99[i]),
                "limits_text": f"{fmt(float(result.ll95[i]))} to {fmt(float(result.ul95[i]))}",
                "flag95": FLAG_WORDS[flag95],
                "flag99": FLAG_WORDS[flag99],
                "synthetic": metric.is_synthetic or o.provenance == Provenance.SYNTHETIC,
            }
        )
    return {
        "metric": metric,
        "period": period,
        "period_label": format_period(period, metric.frequency, long=True),
        "subject_type": subject_type,
        "kind": kind,
        "target": result.target,
        "target_text": fmt(result.target),
        "phi": None if math.isnan(result.phi) else result.phi,
        "tau2": result.tau2,
        "units": units,
        "beyond99": sum(u["flag99"] != "within" for u in units),
        "beyond95": sum(u["flag95"] != "within" for u in units),
        "synthetic": any(u["synthetic"] for u in units),
        "curves": {k: [float(x) for x in v] for k, v in curves.items()},
    }


def compare_params(params, metric_code: str | None = None) -> tuple[Metric, dt.date | None, str]:
    """The metric, period (None: the latest with data) and subject type a comparison asks
    for, from query parameters. Raises CompareError naming the parameter at fault."""
    code = metric_code if metric_code is not None else params.get("metric", "")
    if not code:
        raise CompareError("metric", "This parameter is required.")
    if "\x00" in code:
        raise CompareError("metric", "Null characters are not allowed.")
    metric = Metric.objects.filter(code=code).first()
    if metric is None:
        raise CompareError("metric", f"No metric has the code {code!r}.")
    if metric.data_kind not in FRACTION_KINDS:
        raise CompareError(
            "metric",
            f"{metric.code} is {metric.get_data_kind_display().lower()}: funnel plots compare "
            "proportions and rates, which have numerators and denominators.",
        )
    subject_type = params.get("subject_type") or SubjectType.PLACE
    if subject_type not in SubjectType.values:
        raise CompareError("subject_type", f"Choose one of {', '.join(SubjectType.values)}.")
    text = params.get("period") or ""
    period = None
    if text:
        try:
            period = dt.date.fromisoformat(text + "-01" if len(text) == 7 else text)
        except ValueError:
            raise CompareError(
                "period", "Give the period's first day (YYYY-MM-DD) or its month (YYYY-MM)."
            ) from None
    return metric, period, subject_type


# -- the icon summary table ----------------------------------------------------------------------

SUMMARY_SORTS = {
    "metric": lambda r: (r["metric_short_name"].lower(), r["subject"]),
    "subject": lambda r: (r["subject"], r["metric_short_name"].lower()),
    # concern first, then neutral special cause, common cause, improvement, no data
    "variation": lambda r: (
        0
        if r["is_concern"]
        else 1
        if r["variation"].startswith("neutral")
        else 3
        if r["is_improvement"]
        else 4
        if not r["has_data"]
        else 2,
        r["metric_short_name"].lower(),
    ),
    # fail first, then hit and miss, pass, no assurance
    "assurance": lambda r: (
        {"consistent_fail": 0, "hit_and_miss": 1, "consistent_pass": 2}.get(r["assurance"], 3),
        r["metric_short_name"].lower(),
    ),
}
SUMMARY_VARIATIONS = {
    "concern": lambda r: r["is_concern"],
    "improvement": lambda r: r["is_improvement"],
    "neutral": lambda r: r["has_data"] and r["variation"].startswith("neutral"),
    "common_cause": lambda r: r["has_data"] and r["variation"] == "common_cause",
}
SUMMARY_CSV_HEADER = [
    "metric",
    "subject",
    "subject_type",
    "period",
    "value",
    "target",
    "target_period",
    "variation",
    "assurance",
    "provisional",
    "synthetic",
]


def summary_table(
    *,
    board=None,
    place=None,
    system=None,
    sort: str = "metric",
    variation: str = "",
    assurance: str = "",
) -> list[dict]:
    """One row per series from the latest snapshots, with its latest value, target, variation
    and assurance: a board's metrics (every subject), a Place's series (its own and its
    organisations'), or the system's own series; sorted and filtered."""
    if board is not None:
        rows = [r for r in system_rows(system_id=board.system_id) if r["owner_board"] == board.name]
    elif place is not None:
        rows = place_rows(place=place)
    else:
        rows = [
            r for r in system_rows(system_id=system.pk) if r["subject_type"] == SubjectType.SYSTEM
        ]
    if variation in SUMMARY_VARIATIONS:
        rows = [r for r in rows if SUMMARY_VARIATIONS[variation](r)]
    if assurance:
        rows = [r for r in rows if (r["assurance"] or "none") == assurance]
    return sorted(rows, key=SUMMARY_SORTS.get(sort, SUMMARY_SORTS["metric"]))


def summary_csv_rows(rows: list[dict]) -> Iterable[list[str]]:
    """The summary table as CSV rows, header first; text a spreadsheet would run neutralised."""
    yield SUMMARY_CSV_HEADER
    for r in rows:
        yield [
            r["metric_code"],
            neutralise(r["subject"]),
            r["subject_type"],
            r["period"],
            r["value"],
            r["target"],
            r["target_period"],
            r["variation"],
            r["assurance"],
            "yes" if r["provisional"] else "no",
            "yes" if r["synthetic"] else "no",
        ]
