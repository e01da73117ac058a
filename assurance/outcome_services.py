"""Linking a Place's priorities to the system's outcomes and to the metrics that evidence them.

The source documents link no priority to an outcome or a metric, so every link is a person's
judgement: made by an administrator or a secretary of one of the Place's boards, with the
reason kept beside it. A removed link stays in the links' history with who removed it and why.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from governance.models import Board
from governance.permissions import editable_board_ids
from icsportal.history import delete_with_reason, reason_required, save_with_reason
from icsportal.roles import is_admin
from metrics.choices import SubjectType
from metrics.models import Metric, Series
from places.models import Outcome, Place, Priority

from .choices import LinkBasis
from .models import PriorityMetric, PriorityOutcome

ONLY_EDITORS = "Only an administrator or a secretary of one of the Place's boards may link it."


# -- who may link --------------------------------------------------------------------------------


def can_link_priority(user: AbstractBaseUser | AnonymousUser, priority: Priority) -> bool:
    """Whether the user may link or unlink ``priority``: admins, and the secretaries of a board
    of the priority's Place (one query for a secretary, none for anyone else)."""
    if is_admin(user):
        return True
    boards = editable_board_ids(user)
    return bool(boards) and Board.objects.filter(pk__in=boards, place_id=priority.place_id).exists()


# -- which metrics may evidence a priority -------------------------------------------------------


def series_scope(place: Place, *, prefix: str = "") -> Q:
    """The series that count for a Place's priorities: the Place's own, the system's, and those
    of the organisations serving the Place (as on the Place's page). ``prefix`` reaches Series
    through a relation, e.g. ``"series__"``."""
    return (
        Q(**{f"{prefix}place_id": place.pk})
        | Q(**{f"{prefix}subject_type": SubjectType.SYSTEM, f"{prefix}system_id": place.system_id})
        | Q(
            **{
                f"{prefix}subject_type": SubjectType.ORGANISATION,
                f"{prefix}organisation__places": place.pk,
            }
        )
    )


def metrics_for_place(place: Place) -> QuerySet[Metric]:
    """The metrics that may evidence a priority of ``place``: those with a series in its scope."""
    in_scope = Series.objects.filter(series_scope(place), metric_id=OuterRef("pk"))
    return Metric.objects.filter(Exists(in_scope)).order_by("short_name", "code")


# -- writes --------------------------------------------------------------------------------------


def _locked_priority(priority: Priority | int) -> Priority:
    """The priority, locked, so that two people adding the same link one after the other meet
    the duplicate check rather than the database's constraint."""
    pk = priority if isinstance(priority, int) else priority.pk
    return Priority.objects.select_for_update().select_related("place__system").get(pk=pk)


def _save(link, *, actor: AbstractBaseUser, reason: str) -> None:
    link.full_clean()
    save_with_reason(link, actor=actor, reason=reason)


@transaction.atomic
def priority_outcome_create(
    *, actor: AbstractBaseUser, priority: Priority | int, outcome: Outcome, reason: str
) -> PriorityOutcome:
    """Link a priority to one of its system's outcomes, recording who and why."""
    current = _locked_priority(priority)
    if not can_link_priority(actor, current):
        raise PermissionDenied(ONLY_EDITORS)
    reason = reason_required(reason)
    if outcome.system_id != current.place.system_id:
        raise ValidationError(
            {"outcome": f"Choose an outcome of {current.place.system.name}; this one is not."}
        )
    if current.outcome_links.filter(outcome=outcome).exists():
        raise ValidationError(
            {"outcome": f"This priority is already linked to the outcome “{outcome.title}”."}
        )
    link = PriorityOutcome(
        priority=current,
        outcome=outcome,
        basis=LinkBasis.PERSON,
        reason=reason,
        created_by=actor,
    )
    _save(link, actor=actor, reason=reason)
    return link


@transaction.atomic
def priority_metric_create(
    *, actor: AbstractBaseUser, priority: Priority | int, metric: Metric, reason: str
) -> PriorityMetric:
    """Link a metric with a series for the priority's Place (or its system, or an organisation
    serving the Place) to the priority as its evidence, recording who and why."""
    current = _locked_priority(priority)
    if not can_link_priority(actor, current):
        raise PermissionDenied(ONLY_EDITORS)
    reason = reason_required(reason)
    place = current.place
    if not metrics_for_place(place).filter(pk=metric.pk).exists():
        raise ValidationError(
            {
                "metric": f"“{metric.short_name or metric.name}” has no series for {place.name}, "
                "its system or an organisation serving it: choose a metric that does."
            }
        )
    if current.metric_links.filter(metric=metric).exists():
        raise ValidationError(
            {
                "metric": "This priority is already linked to the metric "
                f"“{metric.short_name or metric.name}”."
            }
        )
    link = PriorityMetric(
        priority=current,
        metric=metric,
        basis=LinkBasis.PERSON,
        reason=reason,
        created_by=actor,
    )
    _save(link, actor=actor, reason=reason)
    return link


def _delete(model, *, actor: AbstractBaseUser, link, reason: str) -> None:
    pk = link if isinstance(link, int) else link.pk
    try:
        current = model.objects.select_for_update().select_related("priority").get(pk=pk)
    except model.DoesNotExist:
        raise ValidationError("This link was removed already.") from None
    if not can_link_priority(actor, current.priority):
        raise PermissionDenied(ONLY_EDITORS)
    reason = reason_required(reason)
    if current.basis == LinkBasis.DOCUMENT:
        # The data load would put it back: it changes when the documents do.
        raise ValidationError("This link is stated in a source document and cannot be removed.")
    delete_with_reason(current, actor=actor, reason=reason)


@transaction.atomic
def priority_outcome_delete(
    *, actor: AbstractBaseUser, link: PriorityOutcome | int, reason: str
) -> None:
    """Remove a priority's link to an outcome; its history keeps who removed it and why."""
    _delete(PriorityOutcome, actor=actor, link=link, reason=reason)


@transaction.atomic
def priority_metric_delete(
    *, actor: AbstractBaseUser, link: PriorityMetric | int, reason: str
) -> None:
    """Remove a priority's link to a metric; its history keeps who removed it and why."""
    _delete(PriorityMetric, actor=actor, link=link, reason=reason)
