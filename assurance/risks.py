"""The risk register and Long Term Plan commitments: ratings and every write, with its rules.

A risk's rating is its RAG from the 5 × 5 score (likelihood × impact), after the NPSA's "A risk
matrix for risk managers" (2008): 1–3 low (green), 4–12 moderate or high (amber), 15–25 extreme
(red). The source documents give no matrix of their own, and no likelihood or impact for any risk:
a risk loaded from them stays unrated until a person scores it.

A red rating escalates the risk to the board its system's escalation route names; a rating below
red, or closing the risk, de-escalates it. Both are recorded with who, when and why. Every change
records the actor as the history user and a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from governance.models import Board
from governance.permissions import can_edit_board
from icsportal.history import delete_with_reason, reason_required, save_with_reason
from icsportal.roles import is_admin
from metrics.models import Metric

from .choices import (
    ActionStatus,
    CommitmentStatus,
    ReviewDecision,
    RiskRating,
    RiskStatus,
)
from .models import (
    Commitment,
    EscalationRoute,
    MitigatingAction,
    Risk,
    RiskEscalation,
    RiskMetric,
    RiskReview,
)

RISK_UPDATABLE = frozenset(
    {"title", "description", "place", "owner_board", "status", "review_date", "note"}
)
ACTION_UPDATABLE = frozenset({"description", "owner", "due_date", "status", "completed_on"})


# -- who may change what -------------------------------------------------------------------------


def can_edit_risk(user: AbstractBaseUser, risk: Risk) -> bool:
    """Admins, and the secretaries of the board that owns the risk."""
    if is_admin(user):
        return True
    return risk.owner_board_id is not None and can_edit_board(user, risk.owner_board_id)


def can_edit_commitment(user: AbstractBaseUser, commitment: Commitment) -> bool:
    """Admins, and the secretaries of the board that owns the commitment."""
    if is_admin(user):
        return True
    return commitment.owner_board_id is not None and can_edit_board(user, commitment.owner_board_id)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_owner(actor: AbstractBaseUser, board: Board | None) -> None:
    """Only admins, and the board's own secretaries, may make a board the owner of a risk:
    otherwise a secretary could hand risks to boards they cannot edit (or to none)."""
    _require(
        is_admin(actor) or (board is not None and can_edit_board(actor, board)),
        "Only an administrator or a secretary of the owning board may give it a risk.",
    )


def _score(name: str, value) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            {name: f"{name.capitalize()} is a whole number from 1 to 5."}
        ) from None
    if not 1 <= number <= 5:
        raise ValidationError({name: f"{name.capitalize()} is scored from 1 to 5."})
    return number


def _save(obj, *, actor, reason: str, update_fields=None) -> None:
    obj.full_clean()
    save_with_reason(obj, actor=actor, reason=reason, update_fields=update_fields)


def _unique_key(title: str) -> str:
    base = slugify(title)[:60] or "risk"
    taken = set(Risk.objects.filter(key__startswith=base).values_list("key", flat=True))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


# -- escalation ----------------------------------------------------------------------------------


def _escalation_sync(*, actor, risk: Risk, reason: str) -> RiskEscalation | None:
    """Escalate a red open risk on its system's route; de-escalate one that is no longer red.

    Returns the escalation opened or closed, or None when nothing changed (including a red risk
    in a system whose documents name no escalation route).
    """
    current = risk.escalations.filter(de_escalated_at__isnull=True).first()
    red = risk.rating == RiskRating.RED and risk.status != RiskStatus.CLOSED
    if red and current is None:
        route = EscalationRoute.objects.filter(system_id=risk.system_id).first()
        if route is None:
            return None
        escalation = RiskEscalation(
            risk=risk,
            board_id=route.board_id,
            escalated_by=actor,
            escalated_at=timezone.now(),
            reason=f"Rated red (score {risk.score}). {reason}",
        )
        escalation.full_clean()
        escalation.save()
        return escalation
    if current is not None and not red:
        why = (
            "Closed"
            if risk.status == RiskStatus.CLOSED
            else (f"Rated {risk.rating} (score {risk.score})" if risk.score else "No longer rated")
        )
        current.de_escalated_at = timezone.now()
        current.de_escalated_by = actor
        current.de_escalation_reason = f"{why}. {reason}"
        current.full_clean()
        current.save(update_fields=["de_escalated_at", "de_escalated_by", "de_escalation_reason"])
        return current
    return None


# -- risks ---------------------------------------------------------------------------------------


@transaction.atomic
def risk_create(
    *,
    actor: AbstractBaseUser,
    system,
    title: str,
    reason: str,
    description: str = "",
    place=None,
    owner_board: Board | None = None,
    likelihood: int | None = None,
    impact: int | None = None,
    review_date: dt.date | None = None,
    note: str = "",
    metrics: Iterable[Metric] = (),
) -> Risk:
    """Add a risk to the register, with the metrics that evidence it; admins, or a secretary
    of the board that will own it."""
    _require_owner(actor, owner_board)
    reason = reason_required(reason)
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "Enter the risk's title."})
    if owner_board is not None and owner_board.system_id != system.pk:
        raise ValidationError({"owner_board": "Choose a board of this risk's system."})
    if place is not None and place.system_id != system.pk:
        raise ValidationError({"place": "Choose a Place of this risk's system."})
    likelihood, impact = _score("likelihood", likelihood), _score("impact", impact)
    risk = Risk(
        key=_unique_key(title),
        system=system,
        title=title,
        description=description,
        place=place,
        owner_board=owner_board,
        likelihood=likelihood,
        impact=impact,
        status=RiskStatus.OPEN if likelihood and impact else RiskStatus.IDENTIFIED,
        review_date=review_date,
        note=note,
    )
    _save(risk, actor=actor, reason=reason)
    _escalation_sync(actor=actor, risk=risk, reason=reason)
    if metrics:
        risk_metrics_set(actor=actor, risk=risk, metrics=metrics, reason=reason)
    return risk


def _pk(obj) -> int | None:
    return getattr(obj, "pk", obj)


def _locked(risk: Risk | int) -> Risk:
    pk = risk if isinstance(risk, int) else risk.pk
    return Risk.objects.select_for_update().get(pk=pk)


@transaction.atomic
def risk_update(*, actor: AbstractBaseUser, risk: Risk | int, reason: str, **changes) -> Risk:
    """Change a risk's description, owner, Place, status, review date or note, for a reason.

    Both permissions come before any write: the actor may edit the risk as it is and, when the
    owner changes, may give the risk to the new owner."""
    current = _locked(risk)
    _require(
        can_edit_risk(actor, current),
        "Only the owning board's secretaries and administrators may change it.",
    )
    if "owner_board" in changes and _pk(changes["owner_board"]) != current.owner_board_id:
        _require_owner(actor, changes["owner_board"])
    reason = reason_required(reason)
    unknown = sorted(set(changes) - RISK_UPDATABLE)
    if unknown:
        raise ValidationError({field: "This field cannot be changed here." for field in unknown})
    board = changes.get("owner_board")
    if board is not None and board.system_id != current.system_id:
        raise ValidationError({"owner_board": "Choose a board of this risk's system."})
    place = changes.get("place")
    if place is not None and place.system_id != current.system_id:
        raise ValidationError({"place": "Choose a Place of this risk's system."})
    if "status" in changes and changes["status"] not in RiskStatus.values:
        raise ValidationError({"status": "Choose a status from the list."})
    changed = [f for f, v in changes.items() if getattr(current, f) != v]
    if not changed:
        return current
    for field in changed:
        setattr(current, field, changes[field])
    fields = [f.removesuffix("_id") for f in changed] + ["modified_at"]
    _save(current, actor=actor, reason=reason, update_fields=fields)
    _escalation_sync(actor=actor, risk=current, reason=reason)
    return current


@transaction.atomic
def risk_change(
    *, actor: AbstractBaseUser, risk: Risk | int, reason: str, metrics: Iterable[Metric], **changes
) -> Risk:
    """Change a risk's fields and its evidence metrics together: all of it, or nothing."""
    current = risk_update(actor=actor, risk=risk, reason=reason, **changes)
    risk_metrics_set(actor=actor, risk=current, metrics=metrics, reason=reason)
    return current


@transaction.atomic
def risk_review(
    *,
    actor: AbstractBaseUser,
    risk: Risk | int,
    likelihood,
    impact,
    reason: str,
    evidence: list[dict] | None = None,
) -> RiskReview:
    """Score a risk (or confirm its score) for a reason; the decision is kept as a review.

    Rated red, an open risk escalates on its system's route; rated below red, it de-escalates.
    """
    current = _locked(risk)
    _require(
        can_edit_risk(actor, current),
        "Only the owning board's secretaries and administrators may rate it.",
    )
    reason = reason_required(reason)
    likelihood, impact = _score("likelihood", likelihood), _score("impact", impact)
    if (likelihood is None) != (impact is None):
        raise ValidationError({"impact": "Score both likelihood and impact, or neither."})
    review = RiskReview(
        risk=current,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        decision=ReviewDecision.KEPT
        if (likelihood, impact) == (current.likelihood, current.impact)
        else ReviewDecision.CHANGED,
        reason=reason,
        likelihood_before=current.likelihood,
        impact_before=current.impact,
        likelihood_after=likelihood,
        impact_after=impact,
        evidence=evidence or [],
    )
    review.full_clean()
    review.save()
    fields = []
    if review.decision == ReviewDecision.CHANGED:
        current.likelihood, current.impact = likelihood, impact
        fields += ["likelihood", "impact"]
    if current.status == RiskStatus.IDENTIFIED and likelihood is not None:
        current.status = RiskStatus.OPEN
        fields.append("status")
    if fields:
        _save(current, actor=actor, reason=reason, update_fields=[*fields, "modified_at"])
    _escalation_sync(actor=actor, risk=current, reason=reason)
    return review


@transaction.atomic
def risk_metrics_set(*, actor: AbstractBaseUser, risk: Risk | int, metrics, reason: str) -> Risk:
    """Make ``metrics`` the risk's evidence: links added and removed one by one, with history."""
    current = _locked(risk)
    _require(
        can_edit_risk(actor, current),
        "Only the owning board's secretaries and administrators may change it.",
    )
    reason = reason_required(reason)
    wanted = {m.pk: m for m in metrics}
    links = {link.metric_id: link for link in current.metric_links.all()}
    for metric_id, link in links.items():
        if metric_id not in wanted:
            delete_with_reason(link, actor=actor, reason=reason)
    for metric_id in wanted.keys() - links.keys():
        link = RiskMetric(risk=current, metric_id=metric_id, reason=reason)
        _save(link, actor=actor, reason=reason)
    return current


@transaction.atomic
def action_create(
    *,
    actor: AbstractBaseUser,
    risk: Risk | int,
    description: str,
    owner: str = "",
    due_date: dt.date | None = None,
) -> MitigatingAction:
    """Add a mitigating action, with its owner and due date, to a risk."""
    current = _locked(risk)
    _require(
        can_edit_risk(actor, current),
        "Only the owning board's secretaries and administrators may change it.",
    )
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "Describe the action."})
    action = MitigatingAction(risk=current, description=description, owner=owner, due_date=due_date)
    _save(action, actor=actor, reason="Action added")
    return action


@transaction.atomic
def action_update(
    *, actor: AbstractBaseUser, action: MitigatingAction | int, **changes
) -> MitigatingAction:
    """Change an action; marking it done dates its completion today unless a date is given."""
    pk = action if isinstance(action, int) else action.pk
    current = MitigatingAction.objects.select_for_update().select_related("risk").get(pk=pk)
    _require(
        can_edit_risk(actor, current.risk),
        "Only the owning board's secretaries and administrators may change it.",
    )
    unknown = sorted(set(changes) - ACTION_UPDATABLE)
    if unknown:
        raise ValidationError({field: "This field cannot be changed." for field in unknown})
    if changes.get("status") == ActionStatus.DONE and not changes.get("completed_on"):
        changes["completed_on"] = current.completed_on or timezone.localdate()
    if "status" in changes and changes["status"] != ActionStatus.DONE:
        changes["completed_on"] = None
    changed = [f for f, v in changes.items() if getattr(current, f) != v]
    if not changed:
        return current
    for field in changed:
        setattr(current, field, changes[field])
    _save(current, actor=actor, reason="Action changed", update_fields=[*changed, "modified_at"])
    return current


# -- Long Term Plan commitments ------------------------------------------------------------------


@transaction.atomic
def commitment_update(
    *, actor: AbstractBaseUser, commitment: Commitment | int, status: str, note: str = ""
) -> Commitment:
    """Set a commitment's status (secretaries of its owner board, or admins), with history."""
    pk = commitment if isinstance(commitment, int) else commitment.pk
    current = Commitment.objects.select_for_update().get(pk=pk)
    _require(
        can_edit_commitment(actor, current),
        "Only an administrator or a secretary of the owning board may update it.",
    )
    if status not in CommitmentStatus.values:
        raise ValidationError({"status": "Choose a status from the list."})
    note = (note or "").strip()
    changed = [
        f for f, v in (("status", status), ("status_note", note)) if getattr(current, f) != v
    ]
    if not changed:
        return current
    current.status, current.status_note = status, note
    _save(
        current,
        actor=actor,
        reason=note or "Status updated",
        update_fields=[*changed, "modified_at"],
    )
    return current
