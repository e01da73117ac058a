"""Metrics survive structure: a predecessor organisation's series continues in its successor's.

When an organisation is merged into, replaced by or renamed as another (``governance.signals.
succeeded``), each series the predecessor has continues in the successor's series of the same
metric: the predecessor's observations before the date are carried over, each saying so in its
note, and kept equal to the predecessor's from then on (``metrics.carrying``: a correction to
the predecessor's series reaches the successor's); a rebase annotation at the date, with the
succession's reason and source, starts the SPC limits afresh. Nothing is joined silently: where
the successor already has values before the date (its own, or a second predecessor's), nothing
is carried and a note annotation says why. A split or a boundary change carries no values (the
successor stands for only part of the predecessor, or the predecessor goes on); its successors'
series are rebased at the date.
"""

from __future__ import annotations

from django.dispatch import receiver
from django.utils import timezone

from governance.choices import SuccessionKind
from governance.models import OrganisationSuccession
from governance.signals import succeeded
from icsportal.history import save_with_reason

from .carrying import carry_start
from .choices import AnnotationKind, SubjectType
from .models import Annotation, Series
from .outbox import recompute_after_commit

# Successions after which the successor stands for the whole of the predecessor.
CARRIED_KINDS = (SuccessionKind.MERGER, SuccessionKind.REPLACEMENT, SuccessionKind.RENAME)


@receiver(succeeded, dispatch_uid="metrics_carry_series")
def _on_succeeded(sender, successions, user, **kwargs) -> None:
    changed: list[int] = []
    for succession in successions:
        if isinstance(succession, OrganisationSuccession):
            changed += carry_series(succession, user=user)
    if changed:
        recompute_after_commit(series_ids=changed)


def carry_series(succession: OrganisationSuccession, *, user) -> list[int]:
    """Continue each of the predecessor's series in the successor's; the ids of the series
    changed (their snapshots are recomputed)."""
    if succession.successor_id is None or succession.date is None:
        return []
    changed = []
    for series in Series.objects.filter(organisation_id=succession.predecessor_id).select_related(
        "metric"
    ):
        target, _ = Series.objects.get_or_create(
            metric=series.metric,
            organisation_id=succession.successor_id,
            defaults={"subject_type": SubjectType.ORGANISATION},
        )
        if succession.kind in CARRIED_KINDS:
            _carry(series, target, succession, user=user)
        _annotate(target, succession, AnnotationKind.REBASE, _rebase_text(succession), user=user)
        changed.append(target.pk)
    return changed


def _carry(source: Series, target: Series, succession: OrganisationSuccession, *, user) -> None:
    if carry_start(succession=succession, source=source, target=target):
        return
    if source.observations.filter(period_start__lt=succession.date).exists():
        _annotate(
            target,
            succession,
            AnnotationKind.NOTE,
            f"{succession.predecessor}'s values before {succession.date_text} were not carried "
            f"over: this series already has values before then, and the portal does not join "
            f"two bodies' series.",
            user=user,
        )


def _rebase_text(succession: OrganisationSuccession) -> str:
    source = succession.source_text
    return (
        f"{succession.get_kind_display()}: {succession.predecessor} succeeded by "
        f"{succession.successor} on {succession.date_text}. {succession.reason}"
        f"{f' (Source: {source}.)' if source else ''}"
    )


def _annotate(
    series: Series, succession: OrganisationSuccession, kind: str, text: str, *, user
) -> None:
    # A rebase marks the first observed period on or after the date, as annotation_create does.
    first = (
        series.observations.filter(period_start__gte=succession.date)
        .order_by("period_start")
        .values_list("period_start", flat=True)
        .first()
    )
    annotation = Annotation(
        series=series,
        kind=kind,
        period=first or succession.date,
        label=f"{succession.get_kind_display()}: {succession.predecessor}"[:120],
        text=text,
        created_by=user if user.is_authenticated else None,
        created_at=timezone.now(),
    )
    annotation.full_clean()
    save_with_reason(annotation, actor=user, reason=succession.reason)
