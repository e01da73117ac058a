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
from dataclasses import dataclass

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import spc
from .choices import RAG, Polarity, SeriesProvenance, SnapshotStatus
from .models import Metric, Observation, Series, SeriesSummary, Snapshot, Target

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


def _read_postgresql(series_sql: str, params: list) -> ScopeData:
    """COPY the observations out in binary and parse the fixed-width rows with NumPy."""
    with connection.cursor() as cursor:
        # series_sql is the ORM's own SQL for the scope's series, with its parameters.
        query = (
            "SELECT o.series_id, o.period_start, o.value, "  # noqa: S608
            "CASE o.provenance WHEN 'document' THEN 0 WHEN 'upload' THEN 1 ELSE 2 END::int2 "
            f"FROM metrics_observation o WHERE o.series_id IN ({series_sql}) "
            "ORDER BY o.series_id, o.period_start"
        )
        inner = cursor.mogrify(query, params).decode()
        buffer = io.BytesIO()
        cursor.cursor.copy_expert(f"COPY ({inner}) TO STDOUT WITH (FORMAT binary)", buffer)
    raw = buffer.getbuffer()
    count = (len(raw) - _BINARY_HEADER - 2) // _BINARY_ROW.itemsize
    rows = np.frombuffer(raw, dtype=_BINARY_ROW, count=count, offset=_BINARY_HEADER)
    return ScopeData(
        series_ids=rows["series"].astype(np.int64),
        periods=rows["period"].astype(np.int32),
        values=rows["value"].astype(np.float64),
        provenance=rows["provenance"].astype(np.int8),
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


def read_scope(series_qs) -> ScopeData:
    """Every observation of the given series, sorted by series and period."""
    if connection.vendor == "postgresql":
        sql, params = series_qs.values("id").query.sql_with_params()
        return _read_postgresql(sql, list(params))
    return _read_portable(series_qs)


# -- computing summaries -------------------------------------------------------------------------


def _date(days: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(days))


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


def compute_summaries(series: list[Series], data: ScopeData) -> list[SeriesSummary]:
    """A summary per series (those without observations included), in series order.

    Series without rebase points are analysed together by ``spc.analyse_many``; the few with
    rebase points by ``spc.analyse``.
    """
    ids = data.series_ids
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if ids.size else np.array([], int)
    ends = np.r_[starts[1:], ids.size].astype(np.int64)
    position = {int(ids[s]): k for k, s in enumerate(starts)}
    lengths = ends - starts

    targets: dict[int, list[tuple]] = {}
    for sid, start, end, value, label in Target.objects.filter(
        series__in=[s.pk for s in series], value__isnull=False
    ).values_list("series_id", "period_start", "period_end", "value", "period_label"):
        targets.setdefault(sid, []).append((start, end, value, label))

    # The batch: every series with observations and no rebase points.
    batch_rows = [s for s in series if s.pk in position and not s.rebase_periods]
    batch_result = None
    if batch_rows:
        ks = np.array([position[s.pk] for s in batch_rows], dtype=np.int64)
        batch_lengths = lengths[ks]
        width = int(batch_lengths.max())
        matrix = np.full((len(batch_rows), width), np.nan)
        row_of_point = np.repeat(np.arange(len(batch_rows)), batch_lengths)
        offsets = np.arange(int(batch_lengths.sum())) - np.repeat(
            np.cumsum(batch_lengths) - batch_lengths, batch_lengths
        )
        flat = np.concatenate([np.arange(starts[k], ends[k]) for k in ks])
        matrix[row_of_point, offsets] = data.values[flat]
        batch_targets = []
        for s in batch_rows:
            k = position[s.pk]
            found = target_in_force(targets.get(s.pk, []), _date(data.periods[ends[k] - 1]))
            batch_targets.append(found[2] if found else None)
        batch_result = spc.analyse_many(
            matrix,
            improvement=[IMPROVEMENT[s.metric.polarity] for s in batch_rows],
            targets=batch_targets,
            lengths=batch_lengths,
        )
        letters = _TYPE_LETTER_CODES[np.clip(batch_result.point_type, 0, 3)]
    batch_index = {s.pk: i for i, s in enumerate(batch_rows)}
    variations = batch_result.variation_labels() if batch_result else []
    assurances = batch_result.assurance_labels() if batch_result else []

    out = []
    for s in series:
        metric: Metric = s.metric
        if s.pk not in position:
            out.append(
                SeriesSummary(
                    series=s, rag=RAG.GREY, provenance=SeriesProvenance.DOCUMENTED, points={}
                )
            )
            continue
        k = position[s.pk]
        a, b = int(starts[k]), int(ends[k])
        n = b - a
        latest_period = _date(data.periods[b - 1])
        latest_value = float(data.values[b - 1])
        found = target_in_force(targets.get(s.pk, []), latest_period)
        target_value = found[2] if found else None
        if s.pk in batch_index:
            i = batch_index[s.pk]
            types = letters[i, :n].tobytes().decode()
            mean, lower, upper = (
                _finite(batch_result.mean[i]),
                _finite(batch_result.lower[i]),
                _finite(batch_result.upper[i]),
            )
            segments = [
                [
                    0,
                    mean,
                    lower,
                    upper,
                    _finite(batch_result.lower_two_sigma[i]),
                    _finite(batch_result.upper_two_sigma[i]),
                ]
            ]
            variation, assurance = variations[i], assurances[i]
            provisional = bool(batch_result.provisional[i])
        else:
            period_days = data.periods[a:b]
            rebase_days = {(dt.date.fromisoformat(p) - _EPOCH).days for p in s.rebase_periods}
            rebase_at = [j for j in range(1, n) if int(period_days[j]) in rebase_days]
            result = spc.analyse(
                data.values[a:b],
                improvement=IMPROVEMENT[metric.polarity],
                target=target_value,
                rebase_at=rebase_at,
            )
            types = "".join(TYPE_LETTERS[t] for t in result.point_type)
            segments = _segments_of(result)
            mean, lower, upper = segments[-1][1], segments[-1][2], segments[-1][3]
            variation, assurance, provisional = (
                result.variation,
                result.assurance,
                result.provisional,
            )
        provenance_codes = set(np.unique(data.provenance[a:b]).tolist())
        provenance = (
            SeriesProvenance.MIXED
            if len(provenance_codes) > 1
            else (
                SeriesProvenance.DOCUMENTED,
                SeriesProvenance.UPLOADED,
                SeriesProvenance.SYNTHETIC,
            )[provenance_codes.pop()]
        )
        recent = slice(max(a, b - RECENT_POINTS), b)
        out.append(
            SeriesSummary(
                series=s,
                latest_period=latest_period,
                latest_value=latest_value,
                target_value=target_value,
                target_period_label=found[3] if found else "",
                rag=rag_rating(
                    value=latest_value,
                    target=target_value,
                    polarity=metric.polarity,
                    tolerance=metric.tolerance,
                ),
                variation=variation,
                assurance=assurance or "",
                mean=mean,
                lower=lower,
                upper=upper,
                point_count=n,
                provisional=provisional,
                provenance=provenance,
                points={
                    "types": types,
                    "segments": segments,
                    "recent": {
                        "periods": [_date(d).isoformat() for d in data.periods[recent].tolist()],
                        "values": data.values[recent].tolist(),
                    },
                },
            )
        )
    return out


def summaries_digest(summaries: Iterable[SeriesSummary]) -> str:
    """A digest of what a snapshot would show; equal digests mean identical snapshots."""
    h = hashlib.sha256()
    for s in summaries:
        h.update(
            json.dumps(
                [
                    s.series_id,
                    s.latest_period.isoformat() if s.latest_period else None,
                    s.latest_value,
                    s.target_value,
                    s.target_period_label,
                    s.rag,
                    s.variation,
                    s.assurance,
                    s.mean,
                    s.lower,
                    s.upper,
                    s.point_count,
                    s.provisional,
                    s.provenance,
                    s.points,
                ],
                separators=(",", ":"),
            ).encode()
        )
    return h.hexdigest()


# -- writing -------------------------------------------------------------------------------------

_SUMMARY_COLUMNS = [
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


def _copy_text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict):
        value = json.dumps(value, separators=(",", ":"))
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _write_summaries(snapshot: Snapshot, summaries: list[SeriesSummary]) -> None:
    for s in summaries:
        s.snapshot = snapshot
    if connection.vendor != "postgresql":
        SeriesSummary.objects.bulk_create(summaries, batch_size=2000)
        return
    lines = (
        "\t".join(_copy_text(getattr(s, c)) for c in _SUMMARY_COLUMNS) + "\n" for s in summaries
    )
    buffer = io.StringIO("".join(lines))
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {SeriesSummary._meta.db_table} ({', '.join(_SUMMARY_COLUMNS)}) FROM STDIN",
            buffer,
        )


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
    for snap in dead:
        logger.warning("snapshot %s of %s was left building; marking it failed", snap.pk, key)
    dead.update(status=SnapshotStatus.FAILED, error="The build stopped before publishing.")


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
            series_qs = scope_series(system_id=system_id, place_id=place_id)
            # metric: polarity and tolerance for each series' RAG and SPC direction
            series = list(series_qs.select_related("metric").order_by("id"))
            summaries = compute_summaries(series, read_scope(series_qs))
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
    keep = list(
        Snapshot.objects.filter(scope_key=snapshot.scope_key, status=SnapshotStatus.PUBLISHED)
        .order_by("-published_at", "-id")
        .values_list("pk", flat=True)[:KEEP_PUBLISHED]
    )
    scope = Snapshot.objects.filter(scope_key=snapshot.scope_key)
    scope.filter(status=SnapshotStatus.PUBLISHED).exclude(pk__in=keep).delete()
    # Failed builds stay a while for diagnosis (their summaries are never shown).
    scope.filter(status=SnapshotStatus.FAILED, started_at__lt=timezone.now() - KEEP_FAILED).delete()
    return snapshot


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


def recompute_after_commit(*, series_ids: Iterable[int]) -> None:
    """Once the current transaction commits, recompute the snapshots that show these series."""
    from .tasks import snapshot_recompute_scope

    scopes = scopes_of_series(series_ids)

    def enqueue():
        for system_id, place_id in sorted(scopes, key=lambda s: (s[0], s[1] or 0)):
            snapshot_recompute_scope.delay(system_id, place_id)

    transaction.on_commit(enqueue)
