"""Series summaries and snapshots: the nightly recompute that dashboards and the API read.

A scope is a Place (its Place series) or a system (its own series and every organisation
series). A snapshot of a scope is built under status ``building`` while holding the scope's
lock, and published in one short transaction; readers only ever see the latest published one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from functools import partial

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from . import spc
from .choices import RAG, Polarity, SeriesProvenance, SnapshotStatus
from .models import Observation, Series, SeriesSummary, Snapshot, Target

logger = logging.getLogger(__name__)

IMPROVEMENT = {
    Polarity.HIGHER_IS_BETTER: "increase",
    Polarity.LOWER_IS_BETTER: "decrease",
    Polarity.NEUTRAL: "neutral",
}
TYPE_LETTERS = {
    "common_cause": "c",
    "special_cause_improvement": "I",
    "special_cause_concern": "C",
    "special_cause_neutral": "N",
}
_TYPE_LETTER_CODES = np.frombuffer(b"cICN", dtype=np.uint8)
PROVENANCE_CODES = ("document", "upload", "synthetic")
RECENT_POINTS = 24
KEEP_PUBLISHED = 3  # published snapshots kept per scope; older ones are deleted
KEEP_FAILED = dt.timedelta(days=7)
STALE_BUILD = dt.timedelta(hours=2)  # a build row older than this without its lock is dead
_EPOCH = dt.date(2000, 1, 1)  # PostgreSQL's date epoch
_EPOCH_D = np.datetime64(_EPOCH, "D")


class SnapshotBusy(Exception):
    """Another process is building a snapshot of this scope."""


def scope_key(*, system_id: int, place_id: int | None) -> str:
    return f"place:{place_id}" if place_id else f"system:{system_id}"


def scope_series(*, system_id: int, place_id: int | None):
    """The series a scope's snapshot covers."""
    if place_id:
        return Series.objects.filter(place_id=place_id)
    return Series.objects.filter(Q(system_id=system_id) | Q(organisation__system_id=system_id))


# -- RAG -----------------------------------------------------------------------------------------


def rag_rating(
    *, value: float | None, target: float | None, polarity: str, tolerance: float
) -> str:
    """Green when the value meets the target in the metric's direction, amber when it misses by
    no more than ``tolerance`` × |target|, red otherwise; grey with no target or no direction."""
    if value is None or target is None or polarity == Polarity.NEUTRAL:
        return RAG.GREY
    miss = target - value if polarity == Polarity.HIGHER_IS_BETTER else value - target
    if miss <= 0:
        return RAG.GREEN
    if miss <= tolerance * abs(target):
        return RAG.AMBER
    return RAG.RED


def target_in_force(targets: list[tuple], period: dt.date | None) -> tuple | None:
    """The (start, end, value, label) target whose period contains ``period``, if any."""
    if period is None:
        return None
    for target in targets:
        if target[0] <= period <= target[1]:
            return target
    return None


# -- a scope's series ----------------------------------------------------------------------------


@dataclass
class ScopeSeries:
    """A scope's series as columns in id order: what the recompute needs of each one."""

    queryset: QuerySet  # the scope's series, unevaluated: the portable read and targets use it
    ids: np.ndarray  # int64, ascending
    polarity: list[str]
    tolerance: np.ndarray  # float64
    rebase_periods: list[list[str]]

    def __len__(self) -> int:
        return int(self.ids.size)


def series_columns(series_qs) -> ScopeSeries:
    """The scope's series with their metric's polarity and tolerance, in one query."""
    rows = list(
        series_qs.order_by("id").values_list(
            "id", "metric__polarity", "metric__tolerance", "rebase_periods"
        )
    )
    return ScopeSeries(
        queryset=series_qs,
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        polarity=[r[1] for r in rows],
        tolerance=np.array([r[2] for r in rows], dtype=np.float64),
        rebase_periods=[r[3] or [] for r in rows],
    )


# -- reading a scope's observations --------------------------------------------------------------


@dataclass
class ScopeData:
    """A scope's observations as flat arrays sorted by series then period."""

    series_ids: np.ndarray  # int64, one per observation
    periods: np.ndarray  # int32 days since 2000-01-01
    values: np.ndarray  # float64
    provenance: np.ndarray  # int8 codes into PROVENANCE_CODES


_BINARY_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("l1", ">i4"),
        ("series", ">i8"),
        ("l2", ">i4"),
        ("period", ">i4"),
        ("l3", ">i4"),
        ("value", ">f8"),
        ("l4", ">i4"),
        ("provenance", ">i2"),
    ]
)
_BINARY_HEADER = 19  # signature (11) + flags (4) + header extension length (4)


def _read_postgresql(ids: np.ndarray) -> ScopeData:
    """COPY the observations out in binary and parse the fixed-width rows with NumPy."""
    if not ids.size:
        return _empty_scope()
    # No ORDER BY: PostgreSQL would sort the scope's rows (spilling to disk for a Place of
    # 1,000 series) where NumPy only has to confirm they arrived in index order.
    query = (
        "SELECT o.series_id, o.period_start, o.value, "
        "CASE o.provenance WHEN 'document' THEN 0 WHEN 'upload' THEN 1 ELSE 2 END::int2 "
        "FROM metrics_observation o WHERE o.series_id = ANY(%s::bigint[])"
    )
    with connection.cursor() as cursor:
        inner = cursor.mogrify(query, [ids.tolist()]).decode()
        buffer = io.BytesIO()
        cursor.cursor.copy_expert(f"COPY ({inner}) TO STDOUT WITH (FORMAT binary)", buffer)
    raw = buffer.getbuffer()
    count = (len(raw) - _BINARY_HEADER - 2) // _BINARY_ROW.itemsize
    rows = np.frombuffer(raw, dtype=_BINARY_ROW, count=count, offset=_BINARY_HEADER)
    data = ScopeData(
        series_ids=rows["series"].astype(np.int64),
        periods=rows["period"].astype(np.int32),
        values=rows["value"].astype(np.float64),
        provenance=rows["provenance"].astype(np.int8),
    )
    return _sorted(data)


def _sorted(data: ScopeData) -> ScopeData:
    """The data ordered by series and period ((series, period) is unique, so the order is)."""
    ids, periods = data.series_ids, data.periods
    step = np.diff(ids)
    if (step >= 0).all() and ((step > 0) | (np.diff(periods) > 0)).all():
        return data
    order = np.lexsort((periods, ids))
    return ScopeData(ids[order], periods[order], data.values[order], data.provenance[order])


def _empty_scope() -> ScopeData:
    return ScopeData(
        series_ids=np.empty(0, dtype=np.int64),
        periods=np.empty(0, dtype=np.int32),
        values=np.empty(0, dtype=np.float64),
        provenance=np.empty(0, dtype=np.int8),
    )


def _read_portable(series_qs) -> ScopeData:
    rows = list(
        Observation.objects.filter(series__in=series_qs)
        .order_by("series_id", "period_start")
        .values_list("series_id", "period_start", "value", "provenance")
    )
    codes = {p: i for i, p in enumerate(PROVENANCE_CODES)}
    return ScopeData(
        series_ids=np.array([r[0] for r in rows], dtype=np.int64),
        periods=np.array([(r[1] - _EPOCH).days for r in rows], dtype=np.int32),
        values=np.array([r[2] for r in rows], dtype=np.float64),
        provenance=np.array([codes[r[3]] for r in rows], dtype=np.int8),
    )


def read_scope(series: ScopeSeries) -> ScopeData:
    """Every observation of the given series, sorted by series and period."""
    if connection.vendor == "postgresql":
        return _read_postgresql(series.ids)
    return _read_portable(series.queryset)


# -- computing summaries -------------------------------------------------------------------------


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
        h = hashlib.sha256(b"series-summaries/2\n")
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
        columns = [
            [str(int(snapshot_id))] * len(self),
            list(map(str, self.series_id.tolist())),
            [r"\N" if d == "NaT" else d for d in np.datetime_as_string(self.latest_period)],
            _float_texts(self.latest_value),
            _float_texts(self.target_value),
            list(map(_copy_escape, self.target_period_label)),
            self.rag,
            self.variation,
            self.assurance,
            _float_texts(self.mean),
            _float_texts(self.lower),
            _float_texts(self.upper),
            list(map(str, self.point_count.tolist())),
            ["t" if p else "f" for p in self.provisional.tolist()],
            self.provenance,
            list(map(_copy_escape, self.points)),
        ]
        return "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"


def _float_texts(column: np.ndarray) -> list[str]:
    # repr round-trips a float exactly; x != x only for NaN.
    return [r"\N" if x != x else repr(x) for x in column.tolist()]


def _copy_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


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


def _rags(
    value: np.ndarray, target: np.ndarray, polarity: list[str], tolerance: np.ndarray
) -> list[str]:
    """``rag_rating`` for every series at once (NaN value or target: none)."""
    polarity = np.asarray(polarity, dtype=object)
    higher = polarity == Polarity.HIGHER_IS_BETTER
    lower = polarity == Polarity.LOWER_IS_BETTER
    miss = np.where(higher, target - value, value - target)
    grey = ~(higher | lower) | np.isnan(target) | np.isnan(value)
    with np.errstate(invalid="ignore"):
        rag = np.select(
            [grey, miss <= 0, miss <= tolerance * np.abs(target)],
            [RAG.GREY.value, RAG.GREEN.value, RAG.AMBER.value],
            RAG.RED.value,
        )
    return rag.tolist()


_SERIES_PROVENANCE = (
    SeriesProvenance.DOCUMENTED.value,
    SeriesProvenance.UPLOADED.value,
    SeriesProvenance.SYNTHETIC.value,
    SeriesProvenance.MIXED.value,
)
_NO_POINTS = "{}"


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
    latest_period[observed] = _EPOCH_D + data.periods[b[observed] - 1].astype("timedelta64[D]")
    latest_value = np.full(n_series, np.nan)
    latest_value[observed] = data.values[b[observed] - 1]
    target_value, target_label = _targets_in_force(series, latest_period, observed)

    mean = np.full(n_series, np.nan)
    lower, upper = mean.copy(), mean.copy()
    provisional = np.zeros(n_series, dtype=bool)
    variation, assurance = [""] * n_series, [""] * n_series
    types, segments = [""] * n_series, [""] * n_series

    rebased = np.array([bool(p) for p in series.rebase_periods], dtype=bool)
    batch = np.flatnonzero(observed & ~rebased)
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
        rebase_days = {(dt.date.fromisoformat(p) - _EPOCH).days for p in series.rebase_periods[i]}
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
        rag=_rags(latest_value, target_value, series.polarity, series.tolerance),
        variation=variation,
        assurance=assurance,
        mean=mean,
        lower=lower,
        upper=upper,
        point_count=n.astype(np.int64),
        provisional=provisional,
        provenance=provenance,
        points=_points(data, observed, a, b, types, segments),
    )


def _points(
    data: ScopeData,
    observed: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    types: list[str],
    segments: list[str],
) -> list[str]:
    """Each series' ``points`` JSON text: its point types, segments and its recent points."""
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
            dates = _EPOCH_D + np.frombuffer(key, dtype=np.int32).astype("timedelta64[D]")
            period_text = period_texts[key] = json.dumps(
                np.datetime_as_string(dates).tolist(), separators=(",", ":")
            )
        points[i] = (
            f'{{"types":"{types[i]}","segments":{segments[i]},'
            f'"recent":{{"periods":{period_text},"values":[{value_text}]}}}}'
        )
    return points


def summaries_digest(summaries: SummaryRows) -> str:
    """A digest of what a snapshot would show; equal digests mean identical snapshots."""
    return summaries.digest()


# -- writing -------------------------------------------------------------------------------------

SUMMARY_COLUMNS = [
    "snapshot_id",
    "series_id",
    "latest_period",
    "latest_value",
    "target_value",
    "target_period_label",
    "rag",
    "variation",
    "assurance",
    "mean",
    "lower",
    "upper",
    "point_count",
    "provisional",
    "provenance",
    "points",
]


def _copy_summaries(snapshot: Snapshot, summaries: SummaryRows) -> None:
    """Write the rows with one COPY (PostgreSQL)."""
    buffer = io.StringIO(summaries.copy_text(snapshot.pk))
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {SeriesSummary._meta.db_table} ({', '.join(SUMMARY_COLUMNS)}) FROM STDIN",
            buffer,
        )


def _create_summaries(snapshot: Snapshot, summaries: SummaryRows) -> None:
    """Write the rows through the ORM (any database)."""
    SeriesSummary.objects.bulk_create(summaries.instances(snapshot), batch_size=2000)


def _write_summaries(snapshot: Snapshot, summaries: SummaryRows) -> None:
    if connection.vendor == "postgresql":
        _copy_summaries(snapshot, summaries)
    else:
        _create_summaries(snapshot, summaries)


# -- the lock ------------------------------------------------------------------------------------


@contextmanager
def scope_lock(key: str) -> Iterator[bool]:
    """Hold the scope's build lock for the block; yields False when another process holds it.

    On PostgreSQL a session advisory lock, which the server releases if the holder dies; the
    partial unique index on building snapshots guards every database.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_id])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])


def _clear_dead_builds(key: str) -> None:
    """Mark as failed the build rows of a scope whose builder died (it no longer holds the lock)."""
    dead = Snapshot.objects.filter(scope_key=key, status=SnapshotStatus.BUILDING)
    if connection.vendor != "postgresql":
        # Without advisory locks a build row only counts as dead once it is old.
        dead = dead.filter(started_at__lt=timezone.now() - STALE_BUILD)
    dead_ids = list(dead.values_list("pk", flat=True))
    for pk in dead_ids:
        logger.warning("snapshot %s of %s was left building; marking it failed", pk, key)
    if dead_ids:
        Snapshot.objects.filter(pk__in=dead_ids).update(
            status=SnapshotStatus.FAILED, error="The build stopped before publishing."
        )


# -- the service ---------------------------------------------------------------------------------


def latest_snapshot(*, system_id: int, place_id: int | None = None) -> Snapshot | None:
    """The newest published snapshot of a scope."""
    return (
        Snapshot.objects.filter(
            scope_key=scope_key(system_id=system_id, place_id=place_id),
            status=SnapshotStatus.PUBLISHED,
        )
        .order_by("-published_at", "-id")
        .first()
    )


def snapshot_build(*, system_id: int, place_id: int | None = None) -> Snapshot:
    """Compute every series of the scope and publish a snapshot of them.

    Returns the latest published snapshot: a new one, or the previous one when the data have
    not changed (re-running on unchanged data gives the identical snapshot). Raises
    SnapshotBusy when another process is building this scope. If the build fails or the
    process dies, the previous snapshot stays the published one.
    """
    key = scope_key(system_id=system_id, place_id=place_id)
    with scope_lock(key) as acquired:
        if not acquired:
            raise SnapshotBusy(key)
        _clear_dead_builds(key)
        try:
            with transaction.atomic():
                snapshot = Snapshot.objects.create(
                    system_id=system_id,
                    place_id=place_id,
                    scope_key=key,
                    status=SnapshotStatus.BUILDING,
                    started_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise SnapshotBusy(key) from exc
        try:
            series = series_columns(scope_series(system_id=system_id, place_id=place_id))
            summaries = compute_summaries(series, read_scope(series))
            digest = summaries_digest(summaries)
            previous = latest_snapshot(system_id=system_id, place_id=place_id)
            if previous is not None and previous.input_digest == digest:
                snapshot.delete()
                return previous
            with transaction.atomic():
                _write_summaries(snapshot, summaries)
            return snapshot_publish(snapshot=snapshot, series_count=len(summaries), digest=digest)
        except BaseException as exc:
            Snapshot.objects.filter(pk=snapshot.pk).update(
                status=SnapshotStatus.FAILED, error=repr(exc)[:2000]
            )
            raise


@transaction.atomic
def snapshot_publish(*, snapshot: Snapshot, series_count: int, digest: str) -> Snapshot:
    """Make a built snapshot the scope's published one and drop the oldest published ones."""
    snapshot.status = SnapshotStatus.PUBLISHED
    snapshot.published_at = timezone.now()
    snapshot.series_count = series_count
    snapshot.input_digest = digest
    snapshot.save(update_fields=["status", "published_at", "series_count", "input_digest"])
    # Failed builds stay a while for diagnosis (their summaries are never shown).
    candidates = list(
        Snapshot.objects.filter(scope_key=snapshot.scope_key)
        .filter(
            Q(status=SnapshotStatus.PUBLISHED)
            | Q(status=SnapshotStatus.FAILED, started_at__lt=timezone.now() - KEEP_FAILED)
        )
        .order_by(F("published_at").desc(nulls_last=True), "-id")
        .values_list("pk", "status")
    )
    published = [pk for pk, status in candidates if status == SnapshotStatus.PUBLISHED]
    prune = published[KEEP_PUBLISHED:] + [
        pk for pk, status in candidates if status == SnapshotStatus.FAILED
    ]
    if prune:
        # SeriesSummary has no delete signals or dependants, so the cascade is one set-based
        # DELETE of the pruned snapshots' summaries; no summary row is loaded.
        Snapshot.objects.filter(pk__in=prune).delete()
    transaction.on_commit(
        partial(_warm_pages, system_id=snapshot.system_id, place_id=snapshot.place_id)
    )
    return snapshot


def _warm_pages(*, system_id: int, place_id: int | None) -> None:
    """Ask for the dashboard fragments of the new snapshot to be rendered before anyone asks
    for the pages: a task of its own, so a recompute does not wait for page rendering (in
    process, without a broker, it runs here). A broker that cannot take it costs only a cold
    first page view."""
    from .tasks import snapshot_pages_warm

    try:
        snapshot_pages_warm.apply_async((system_id, place_id), ignore_result=True, retry=False)
    except Exception:  # noqa: BLE001 - the pages render on their first view instead
        logger.warning("could not ask for the pages of %s/%s to be warmed", system_id, place_id)


def scope_series_counts() -> dict[tuple[int, int | None], int]:
    """How many series each (system id, Place id or None) scope covers: two grouped queries."""
    counts: dict[tuple[int, int | None], int] = {}
    for system_id, place_id, n in (
        Series.objects.filter(place__isnull=False)
        .values("place__system_id", "place_id")
        .annotate(n=Count("id"))
        .values_list("place__system_id", "place_id", "n")
    ):
        counts[system_id, place_id] = n
    for system_id, organisation_system, n in (
        Series.objects.filter(place__isnull=True)
        .values("system_id", "organisation__system_id")
        .annotate(n=Count("id"))
        .values_list("system_id", "organisation__system_id", "n")
    ):
        key = (system_id or organisation_system, None)
        counts[key] = counts.get(key, 0) + n
    return counts


def scope_batches(
    scopes: Iterable[tuple[int, int | None]],
    counts: dict[tuple[int, int | None], int],
    *,
    min_series: int,
) -> list[list[tuple[int, int | None]]]:
    """The scopes, in order, packed into batches that each cover at least ``min_series`` series.

    A scope is never split (its snapshot is built and published whole); a scope as large as
    ``min_series`` is a batch of its own, and only the last batch may be smaller. A scope
    without series still costs a build, and counts as one.
    """
    batches: list[list[tuple[int, int | None]]] = []
    batch: list[tuple[int, int | None]] = []
    size = 0
    for scope in scopes:
        batch.append(scope)
        size += max(counts.get(scope, 0), 1)
        if size >= min_series:
            batches.append(batch)
            batch, size = [], 0
    if batch:
        batches.append(batch)
    return batches


def scopes_of_series(series_ids: Iterable[int]) -> set[tuple[int, int | None]]:
    """The (system id, Place id or None) scopes whose snapshots show these series."""
    scopes = set()
    for place_id, place_system, system_id, org_system in Series.objects.filter(
        pk__in=list(series_ids)
    ).values_list("place_id", "place__system_id", "system_id", "organisation__system_id"):
        if place_id:
            scopes.add((place_system, place_id))
        else:
            scopes.add((system_id or org_system, None))
    return scopes
