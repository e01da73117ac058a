"""Writes to metrics with rules: annotations on a series (and the baselines they fix)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from governance.permissions import can_edit_board
from icsportal.history import save_with_reason
from icsportal.roles import PortalRole, is_admin, user_role

from .choices import AnnotationKind, Chart
from .models import Annotation, Metric, Series
from .outbox import recompute_after_commit
from .snapshots.charts import BASELINE_MIN_POINTS

# Kinds that change the limits: the series' snapshots are recomputed after them.
LIMIT_KINDS = (AnnotationKind.REBASE, AnnotationKind.BASELINE)


def can_annotate(user: AbstractBaseUser | AnonymousUser, metric: Metric, kind: str = "") -> bool:
    """Analysts and admins annotate any series; a secretary of a board owning the metric (in
    any system that uses it) its series, except baselines, which only analysts and admins
    fix."""
    role = user_role(user)
    if is_admin(user) or role == PortalRole.ANALYST:
        return True
    if kind == AnnotationKind.BASELINE or role != PortalRole.BOARD_SECRETARY:
        return False
    owners = {metric.owner_board_id, *metric.uses.values_list("owner_board_id", flat=True)}
    return any(can_edit_board(user, board) for board in owners - {None})


@transaction.atomic
def annotation_create(
    *,
    user: AbstractBaseUser,
    series: Series,
    kind: str,
    period: dt.date,
    label: str,
    text: str = "",
    period_end: dt.date | None = None,
) -> Annotation:
    """Record a dated note on a series, with history. A rebase starts a new segment at the
    first observed period on or after ``period``; a baseline (at least 12 observed periods
    from ``period`` to ``period_end``) fixes the series' limits. Raises PermissionDenied, then
    ValidationError naming the field, and writes nothing in either case."""
    metric = series.metric
    if not can_annotate(user, metric, kind):
        raise PermissionDenied(
            "Only analysts, admins and the secretaries of the metric's owning board may "
            "annotate it; only analysts and admins fix baselines."
        )
    label, text = " ".join((label or "").split()), (text or "").strip()
    errors: dict[str, str] = {}
    if kind not in AnnotationKind.values:
        errors["kind"] = f"Choose one of {', '.join(AnnotationKind.values)}."
    if not label:
        errors["label"] = "Enter a short label for the chart."
    if kind in LIMIT_KINDS and not text:
        errors["text"] = "Say why: a rebase or a baseline needs its reason."
    if kind == AnnotationKind.BASELINE:
        if period_end is None:
            errors["period_end"] = "A baseline needs its last period."
        elif period_end < period:
            errors["period_end"] = "The baseline's last period is before its first."
        elif metric.chart in (Chart.PP, Chart.UP):
            errors["kind"] = "Limits cannot be fixed from a baseline on a Laney chart."
        else:
            count = series.observations.filter(
                period_start__gte=period, period_start__lte=period_end
            ).count()
            if count < BASELINE_MIN_POINTS:
                errors["period_end"] = (
                    f"A baseline needs at least {BASELINE_MIN_POINTS} points; "
                    f"these periods have {count}."
                )
    elif period_end is not None:
        errors["period_end"] = "Only a baseline has a last period."
    if kind == AnnotationKind.REBASE and not errors:
        first = (
            series.observations.filter(period_start__gte=period)
            .order_by("period_start")
            .values_list("period_start", flat=True)
            .first()
        )
        if first is None:
            errors["period"] = "The series has no observation on or after this period."
        else:
            period = first
    if errors:
        raise ValidationError(errors)
    annotation = Annotation(
        series=series,
        kind=kind,
        period=period,
        period_end=period_end,
        label=label,
        text=text,
        created_by=user if user.is_authenticated else None,
        created_at=timezone.now(),
    )
    annotation.full_clean()
    save_with_reason(annotation, actor=user, reason=f"Added a {kind} annotation")
    if kind == AnnotationKind.BASELINE:
        series.baseline_start, series.baseline_end = period, period_end
        series.full_clean()
        series.save(update_fields=["baseline_start", "baseline_end"])
    if kind in LIMIT_KINDS:
        recompute_after_commit(series_ids=[series.pk])
    return annotation
