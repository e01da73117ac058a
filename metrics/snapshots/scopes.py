"""Scopes: a Place (its Place series) or a system (its own series and every organisation's).

A snapshot covers one scope; the nightly fan-out packs scopes into batches of tasks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Q, QuerySet

from ..choices import AnnotationKind
from ..models import Annotation, Series


def scope_key(*, system_id: int, place_id: int | None) -> str:
    return f"place:{place_id}" if place_id else f"system:{system_id}"


def scope_series(*, system_id: int, place_id: int | None):
    """The series a scope's snapshot covers."""
    if place_id:
        return Series.objects.filter(place_id=place_id)
    return Series.objects.filter(Q(system_id=system_id) | Q(organisation__system_id=system_id))


@dataclass
class ScopeSeries:
    """A scope's series as columns in id order: what the recompute needs of each one."""

    queryset: QuerySet  # the scope's series, unevaluated: the portable read and targets use it
    ids: np.ndarray  # int64, ascending
    polarity: list[str]
    tolerance: np.ndarray  # float64
    rebase_periods: list[list[str]]
    # The metric's chart (choices.Chart), rule profile and multiplier; each series' baseline
    # (ISO first and last periods, or None). Empty lists: every series an XmR chart.
    chart: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    multiplier: list[float] = field(default_factory=list)
    baseline: list[tuple[str, str] | None] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.ids.size)


def series_columns(series_qs) -> ScopeSeries:
    """The scope's series with their metric's polarity, tolerance, chart, rule profile and
    multiplier, their baselines and rebase periods (their own and their rebase annotations'):
    two queries."""
    rows = list(
        series_qs.order_by("id").values_list(
            "id",
            "metric__polarity",
            "metric__tolerance",
            "rebase_periods",
            "metric__chart",
            "metric__rules",
            "metric__multiplier",
            "baseline_start",
            "baseline_end",
        )
    )
    rebases: dict[int, set[str]] = {}
    for series_id, period in Annotation.objects.filter(
        series__in=series_qs, kind=AnnotationKind.REBASE
    ).values_list("series_id", "period"):
        rebases.setdefault(series_id, set()).add(period.isoformat())
    return ScopeSeries(
        queryset=series_qs,
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        polarity=[r[1] for r in rows],
        tolerance=np.array([r[2] for r in rows], dtype=np.float64),
        rebase_periods=[sorted({*(r[3] or []), *rebases.get(r[0], ())}) for r in rows],
        chart=[r[4] for r in rows],
        rules=[r[5] for r in rows],
        multiplier=[r[6] for r in rows],
        baseline=[(r[7].isoformat(), r[8].isoformat()) if r[7] else None for r in rows],
    )


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
