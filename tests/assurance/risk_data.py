"""Helpers for the risk tests: a published snapshot whose summary shows a chosen status."""

from __future__ import annotations

import datetime as dt
from itertools import count

from django.utils import timezone

from metrics.models import Series, SeriesSummary, Snapshot
from places.models import Place, System

_serial = count()


def publish_summary(
    series: Series,
    *,
    variation: str = "common_cause",
    assurance: str = "",
    rag: str = "grey",
    published_at: dt.datetime | None = None,
) -> SeriesSummary:
    """A newly published snapshot of the series' scope holding one summary of the series."""
    place: Place | None = series.place
    system: System = place.system if place else (series.system or series.organisation.system)
    n = next(_serial)
    when = published_at or timezone.now()
    snapshot = Snapshot.objects.create(
        system=system,
        place=place,
        scope_key=f"place:{place.pk}" if place else f"system:{system.pk}",
        status="published",
        started_at=when,
        published_at=when,
        series_count=1,
        input_digest=f"test-{n}",
    )
    return SeriesSummary.objects.create(
        snapshot=snapshot,
        series=series,
        latest_period=dt.date(2024, 1, 1),
        latest_value=1.0,
        rag=rag,
        variation=variation,
        assurance=assurance,
        point_count=12,
        provenance="synthetic",
        points={},
    )
