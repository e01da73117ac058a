"""Computing a scope's series summaries: latest value, target, RAG, SPC limits and points,
column-wise with NumPy, in the form SeriesSummary stores them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, fields

import numpy as np

from icsportal import pgcopy

from .. import spc
from ..choices import Polarity, SeriesProvenance
from ..models import SeriesSummary, Snapshot, Target
from .charts import batch_limits, chart_summary, fractions, needs_chart
from .letters import TYPE_LETTERS
from .rag import rags
from .reading import ScopeData
from .scopes import ScopeSeries

IMPROVEMENT = {
    Polarity.HIGHER_IS_BETTER: "increase",
    Polarity.LOWER_IS_BETTER: "decrease",
    Polarity.NEUTRAL: "neutral",
}
# The letters by spc's point-type code (its index in spc.POINT_TYPES).
_TYPE_LETTER_CODES = np.frombuffer("".join(TYPE_LETTERS.values()).encode(), dtype=np.uint8)
# The letter of a point of a series with too few points for SPC (spc.shows_spc): unclassified.
UNCLASSIFIED = "-"
RECENT_POINTS = 24


@dataclass
class SummaryRows:
    """Every SeriesSummary field of a scope's series as columns, one entry per series in
    series order; NaN and NaT stand for empty (NULL) values."""

    series_id: np.ndarray  # int64
    latest_period: np.ndarray  # datetime64[D]
    latest_value: np.ndarray  # float64
    target_value: np.ndarray  # float64
    target_period_label: list[str]
    rag: list[str]
    variation: list[str]
    assurance: list[str]
    mean: np.ndarray  # float64
    lower: np.ndarray  # float64
    upper: np.ndarray  # float64
    point_count: np.ndarray  # int64
    provisional: np.ndarray  # bool
    provenance: list[str]
    points: list[str]  # the JSON text of SeriesSummary.points

    def __len__(self) -> int:
        return int(self.series_id.size)

    def __getitem__(self, rows: slice) -> SummaryRows:
        return SummaryRows(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})

    def digest(self) -> str:
        """A digest of every field of every row; equal digests mean identical snapshots."""
        h = hashlib.sha256(b"series-summaries/3\n")
        for f in fields(self):
            column = getattr(self, f.name)
            h.update(f.name.encode() + b"\n")
            if isinstance(column, np.ndarray):
                if column.dtype.kind == "f":  # one bit pattern for every NaN
                    column = np.where(np.isnan(column), np.nan, column)
                h.update(str(column.dtype).encode() + b"\n")
                h.update(np.ascontiguousarray(column).tobytes())
            else:
                # The lengths make the concatenation unambiguous.
                h.update(np.fromiter(map(len, column), np.int64, len(column)).tobytes())
                h.update("".join(column).encode())
        return h.hexdigest()

    def instances(self, snapshot: Snapshot) -> list[SeriesSummary]:
        """The rows as unsaved SeriesSummary instances of ``snapshot``."""
        floats = {
            name: [None if math.isnan(x) else x for x in getattr(self, name).tolist()]
            for name in ("latest_value", "target_value", "mean", "lower", "upper")
        }
        return [
            SeriesSummary(
                snapshot=snapshot,
                series_id=sid,
                latest_period=period,
                latest_value=floats["latest_value"][i],
                target_value=floats["target_value"][i],
                target_period_label=self.target_period_label[i],
                rag=self.rag[i],
                variation=self.variation[i],
                assurance=self.assurance[i],
                mean=floats["mean"][i],
                lower=floats["lower"][i],
                upper=floats["upper"][i],
                point_count=count,
                provisional=provisional,
                provenance=self.provenance[i],
                points=json.loads(self.points[i]),
            )
            for i, (sid, period, count, provisional) in enumerate(
                zip(
                    self.series_id.tolist(),
                    self.latest_period.tolist(),  # datetime.date, or None for NaT
                    self.point_count.tolist(),
                    self.provisional.tolist(),
                    strict=True,
                )
            )
        ]

    def copy_text(self, snapshot_id: int) -> str:
        """The rows in COPY text format, columns as in ``SUMMARY_COLUMNS``."""
        if not len(self):
            return ""
        texts = {
            "snapshot_id": [str(int(snapshot_id))] * len(self),
            "series_id": list(map(str, self.series_id.tolist())),
            "latest_period": [
                pgcopy.NULL if d == "NaT" else d for d in np.datetime_as_string(self.latest_period)
            ],
            "latest_value": _float_texts(self.latest_value),
            "target_value": _float_texts(self.target_value),
            "target_period_label": list(map(pgcopy.text_escape, self.target_period_label)),
            "rag": self.rag,
            "variation": self.variation,
            "assurance": self.assurance,
            "mean": _float_texts(self.mean),
            "lower": _float_texts(self.lower),
            "upper": _float_texts(self.upper),
            "point_count": list(map(str, self.point_count.tolist())),
            "provisional": ["t" if p else "f" for p in self.provisional.tolist()],
            "provenance": self.provenance,
            "points": list(map(pgcopy.text_escape, self.points)),
        }
        columns = [texts[name] for name in SUMMARY_COLUMNS]
        return "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"


def _float_texts(column: np.ndarray) -> list[str]:
    # repr round-trips a float exactly; x != x only for NaN.
    return [pgcopy.NULL if x != x else repr(x) for x in column.tolist()]


def _json_rows(rows: list[list]) -> list[str]:
    """Each inner list's JSON items, comma-separated, from one ``json.dumps`` of them all.

    The items are numbers or null, so "],[" only ever separates two rows.
    """
    if not rows:
        return []
    return json.dumps(rows, separators=(",", ":"), allow_nan=False)[2:-2].split("],[")


def _finite(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def _segments_of(result: spc.SPCResult) -> list[list]:
    out, previous = [], None
    for i, seg in enumerate(result.segment):
        if seg != previous:
            out.append(
                [
                    i,
                    _finite(result.mean[i]),
                    _finite(result.lower[i]),
                    _finite(result.upper[i]),
                    _finite(result.lower_two_sigma[i]),
                    _finite(result.upper_two_sigma[i]),
                ]
            )
            previous = seg
    return out


def _targets_in_force(
    series: ScopeSeries, latest: np.ndarray, observed: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Per series, the value (NaN for none) and period label of the target in force for its
    latest period: as ``target_in_force``, the first in Target's ordering containing it."""
    values = np.full(len(series), np.nan)
    labels = [""] * len(series)
    rows = list(
        Target.objects.filter(series__in=series.queryset, value__isnull=False).values_list(
            "series_id", "period_start", "period_end", "value", "period_label"
        )
    )
    if not rows or not len(series):
        return values, labels
    sid = np.array([r[0] for r in rows], dtype=np.int64)
    start = np.array([r[1] for r in rows], dtype="datetime64[D]")
    end = np.array([r[2] for r in rows], dtype="datetime64[D]")
    at = np.minimum(np.searchsorted(series.ids, sid), len(series) - 1)
    period = latest[at]
    contains = (series.ids[at] == sid) & observed[at] & (start <= period) & (period <= end)
    candidates = np.flatnonzero(contains)
    # np.unique's return_index gives each series' first row, so the Target ordering decides.
    found, first = np.unique(at[candidates], return_index=True)
    chosen = candidates[first].tolist()
    values[found] = [rows[k][3] for k in chosen]
    for i, k in zip(found.tolist(), chosen, strict=True):
        labels[i] = rows[k][4]
    return values, labels


_SERIES_PROVENANCE = (
    SeriesProvenance.DOCUMENTED.value,
    SeriesProvenance.UPLOADED.value,
    SeriesProvenance.SYNTHETIC.value,
    SeriesProvenance.MIXED.value,
)
_NO_POINTS = "{}"


def _without_limits(extra: str) -> str:
    """A series' extra chart fields (a JSON object's inside, after a comma) without limits."""
    if not extra:
        return extra
    fields = json.loads("{" + extra[1:] + "}")
    fields.pop("limits", None)
    return "," + json.dumps(fields, separators=(",", ":"))[1:-1] if fields else ""


def compute_summaries(series: ScopeSeries, data: ScopeData) -> SummaryRows:
    """A summary per series (those without observations included), in series order.

    Series without rebase points are analysed together by ``spc.analyse_many``; the few with
    rebase points by ``spc.analyse``. Every field is computed column-wise; Python only loops
    over the series to assemble their strings.
    """
    n_series = len(series)
    ids = data.series_ids
    runs = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if ids.size else np.zeros(0, int)
    run_ends = np.r_[runs[1:], ids.size].astype(np.int64)
    # Series i's observations are data[a[i]:b[i]], its run k[i] (where observed[i]).
    k = np.searchsorted(ids[runs], series.ids)
    observed = k < runs.size
    observed[observed] = ids[runs[k[observed]]] == series.ids[observed]
    a, b = np.zeros(n_series, dtype=np.int64), np.zeros(n_series, dtype=np.int64)
    a[observed], b[observed] = runs[k[observed]], run_ends[k[observed]]
    n = b - a

    latest_period = np.full(n_series, np.datetime64("NaT"), dtype="datetime64[D]")
    latest_period[observed] = pgcopy.EPOCH_DAY + data.periods[b[observed] - 1].astype(
        "timedelta64[D]"
    )
    latest_value = np.full(n_series, np.nan)
    latest_value[observed] = data.values[b[observed] - 1]
    target_value, target_label = _targets_in_force(series, latest_period, observed)

    mean = np.full(n_series, np.nan)
    lower, upper = mean.copy(), mean.copy()
    provisional = np.zeros(n_series, dtype=bool)
    variation, assurance = [""] * n_series, [""] * n_series
    types, segments = [""] * n_series, [""] * n_series

    rebased = np.array([bool(p) for p in series.rebase_periods], dtype=bool)
    # Other charts, baselines and other rule profiles: computed one by one (charts).
    special = np.array([needs_chart(series, i) for i in range(n_series)], dtype=bool)
    rebased &= ~special
    batch = np.flatnonzero(observed & ~rebased & ~special)
    if batch.size:
        batch_lengths = n[batch]
        width = int(batch_lengths.max())
        row_of_point = np.repeat(np.arange(batch.size), batch_lengths)
        offsets = np.arange(int(batch_lengths.sum())) - np.repeat(
            np.cumsum(batch_lengths) - batch_lengths, batch_lengths
        )
        matrix = np.full((batch.size, width), np.nan)
        matrix[row_of_point, offsets] = data.values[np.repeat(a[batch], batch_lengths) + offsets]
        result = spc.analyse_many(
            matrix,
            improvement=[IMPROVEMENT[series.polarity[i]] for i in batch.tolist()],
            targets=target_value[batch],
            lengths=batch_lengths,
        )
        mean[batch], lower[batch], upper[batch] = result.mean, result.lower, result.upper
        provisional[batch] = result.provisional
        letters = _TYPE_LETTER_CODES[np.clip(result.point_type, 0, 3)].tobytes().decode()
        stats = np.stack(
            [
                result.mean,
                result.lower,
                result.upper,
                result.lower_two_sigma,
                result.upper_two_sigma,
            ],
            axis=1,
        )
        cells = stats.astype(object)
        cells[np.isnan(stats)] = None
        for j, (i, length, stat_text, var, ass) in enumerate(
            zip(
                batch.tolist(),
                batch_lengths.tolist(),
                _json_rows(cells.tolist()),
                result.variation_labels(),
                result.assurance_labels(),
                strict=True,
            )
        ):
            types[i] = letters[j * width : j * width + length]
            segments[i] = f"[[0,{stat_text}]]"
            variation[i], assurance[i] = var, ass or ""

    for i in np.flatnonzero(observed & rebased).tolist():
        period_days = data.periods[a[i] : b[i]].tolist()
        rebase_days = {
            (dt.date.fromisoformat(p) - pgcopy.EPOCH).days for p in series.rebase_periods[i]
        }
        target = float(target_value[i])
        result = spc.analyse(
            data.values[a[i] : b[i]],
            improvement=IMPROVEMENT[series.polarity[i]],
            target=None if math.isnan(target) else target,
            rebase_at=[j for j in range(1, len(period_days)) if period_days[j] in rebase_days],
        )
        seg = _segments_of(result)
        types[i] = "".join(TYPE_LETTERS[t] for t in result.point_type)
        segments[i] = json.dumps(seg, separators=(",", ":"), allow_nan=False)
        mean[i], lower[i], upper[i] = (np.nan if x is None else x for x in seg[-1][1:4])
        variation[i], assurance[i] = result.variation, result.assurance or ""
        provisional[i] = result.provisional

    extras = [""] * n_series
    special_rows = np.flatnonzero(observed & special).tolist()
    found = fractions(series.ids[special_rows].tolist()) if special_rows else {}
    special_values = [data.values[a[i] : b[i]] for i in special_rows]
    special_periods = [data.periods[a[i] : b[i]] for i in special_rows]
    batched = batch_limits(series, special_rows, special_values, special_periods, found)
    for j, i in enumerate(special_rows):
        target = float(target_value[i])
        got = chart_summary(
            series,
            i,
            values=special_values[j],
            periods=special_periods[j],
            fraction=found.get(int(series.ids[i])),
            improvement=IMPROVEMENT[series.polarity[i]],
            target=None if math.isnan(target) else target,
            limits=batched.get(i),
        )
        types[i], segments[i], extras[i] = got.types, got.segments, got.extra
        mean[i], lower[i], upper[i] = got.mean, got.lower, got.upper
        variation[i], assurance[i], provisional[i] = got.variation, got.assurance, got.provisional

    # Too few points since the last rebase for SPC (the engine's ``provisional``, i.e. not
    # spc.shows_spc): the values stay, but no variation, assurance or limits are published and
    # no point is classified, so no page or API reader can show SPC the data cannot support.
    for i in np.flatnonzero(observed & provisional).tolist():
        variation[i] = assurance[i] = ""
        mean[i] = lower[i] = upper[i] = np.nan
        types[i] = UNCLASSIFIED * int(n[i])
        starts = [seg[0] for seg in json.loads(segments[i])]
        segments[i] = json.dumps(
            [[k, None, None, None, None, None] for k in starts], separators=(",", ":")
        )
        extras[i] = _without_limits(extras[i])

    codes = np.zeros(n_series, dtype=np.int8)  # documented when there are no observations
    if runs.size:
        low = np.minimum.reduceat(data.provenance, runs)
        high = np.maximum.reduceat(data.provenance, runs)
        codes[observed] = np.where(low == high, low, 3)[k[observed]]  # 3: mixed
    provenance = [_SERIES_PROVENANCE[c] for c in codes.tolist()]

    return SummaryRows(
        series_id=series.ids,
        latest_period=latest_period,
        latest_value=latest_value,
        target_value=target_value,
        target_period_label=target_label,
        rag=rags(latest_value, target_value, series.polarity, series.tolerance),
        variation=variation,
        assurance=assurance,
        mean=mean,
        lower=lower,
        upper=upper,
        point_count=n.astype(np.int64),
        provisional=provisional,
        provenance=provenance,
        points=_points(data, observed, a, b, types, segments, extras),
    )


def _points(
    data: ScopeData,
    observed: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    types: list[str],
    segments: list[str],
    extras: list[str] | None = None,
) -> list[str]:
    """Each series' ``points`` JSON text: its point types, segments and its recent points
    (and, for other charts than XmR, ``extras``: its chart, limits per point, baseline)."""
    points = [_NO_POINTS] * observed.size
    rows = np.flatnonzero(observed)
    if not rows.size:
        return points
    first = np.maximum(a[rows], b[rows] - RECENT_POINTS)
    count = b[rows] - first
    offsets = np.cumsum(count) - count
    recent = np.repeat(first, count) + (np.arange(int(count.sum())) - np.repeat(offsets, count))
    values = data.values[recent].tolist()
    value_texts = _json_rows(
        [values[o : o + c] for o, c in zip(offsets.tolist(), count.tolist(), strict=True)]
    )
    # Most series of a scope share their recent periods: format each distinct run once.
    days = data.periods[recent].tobytes()
    period_texts: dict[bytes, str] = {}
    for i, o, c, value_text in zip(
        rows.tolist(), offsets.tolist(), count.tolist(), value_texts, strict=True
    ):
        key = days[4 * o : 4 * (o + c)]
        period_text = period_texts.get(key)
        if period_text is None:
            dates = pgcopy.EPOCH_DAY + np.frombuffer(key, dtype=np.int32).astype("timedelta64[D]")
            period_text = period_texts[key] = json.dumps(
                np.datetime_as_string(dates).tolist(), separators=(",", ":")
            )
        points[i] = (
            f'{{"types":"{types[i]}","segments":{segments[i]},'
            f'"recent":{{"periods":{period_text},"values":[{value_text}]}}'
            f"{extras[i] if extras else ''}}}"
        )
    return points


def summaries_digest(summaries: SummaryRows) -> str:
    """A digest of what a snapshot would show; equal digests mean identical snapshots."""
    return summaries.digest()


# SeriesSummary's columns as the snapshot's COPY writes them: the snapshot, then every field.
SUMMARY_COLUMNS = ("snapshot_id", *(f.name for f in fields(SummaryRows)))
