"""Organisations and boards that change: one replaced by one or more successors on a date.

Only administrators record a succession. ``succession_record`` checks permission, then
validates, then writes the succession rows, the predecessor's end and the successors' start with
their history in one transaction; it then sends ``governance.signals.succeeded`` inside that
transaction, so the metrics layer carries the predecessor's series over in it too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from icsportal.history import reason_required, save_with_reason
from icsportal.validity import valid_on
from places.lineage import StatedSource, attest, date_errors, require_admin

from .choices import SuccessionKind
from .models import Board, BoardSuccession, Organisation, OrganisationSuccession
from .signals import succeeded

BodyKind = Literal["organisation", "board"]
SUCCESSION_MODELS = {"organisation": OrganisationSuccession, "board": BoardSuccession}


@dataclass(frozen=True)
class SuccessionChange:
    """What an administrator records: ``predecessor`` replaced by ``successors`` on ``date``.
    ``successors_start``: the successors come into being on the date (not for a merger into a
    body that already existed)."""

    predecessor: Organisation | Board
    successors: list[Organisation | Board]
    date: dt.date | None
    kind: str
    successors_start: bool = True
    note: str = ""


def _check(change: SuccessionChange) -> None:
    errors = date_errors(date=change.date)
    if change.date is None:
        errors["date"] = "Enter the date the change took effect."
    if change.kind not in SuccessionKind.values:
        errors["kind"] = f"Choose one of {', '.join(SuccessionKind.values)}."
    if not change.successors:
        errors["successors"] = "Choose at least one successor."
    elif change.predecessor in change.successors:
        errors["successors"] = f"{change.predecessor} cannot succeed itself."
    elif len(set(change.successors)) != len(change.successors):
        errors["successors"] = "Each successor once."
    else:
        recorded = set(
            change.predecessor.successions.filter(successor__in=change.successors).values_list(
                "successor__name", flat=True
            )
        )
        if recorded:
            names = ", ".join(sorted(recorded))
            errors["successors"] = f"Already recorded as succeeding {change.predecessor}: {names}."
    if (
        change.date
        and change.predecessor.valid_from
        and change.predecessor.valid_from >= change.date
    ):
        errors["date"] = (
            f"{change.predecessor} began on {change.predecessor.valid_from}; "
            "its succession must come after that."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def succession_record(
    *,
    user: AbstractBaseUser,
    body: BodyKind,
    change: SuccessionChange,
    reason: str,
    source: StatedSource,
) -> list[OrganisationSuccession | BoardSuccession]:
    """Record that ``change.predecessor`` was replaced by each successor on ``change.date``.
    Unless the change is a boundary change (the predecessor goes on), the predecessor ends the
    day before; successors that start then begin on the date. Raises PermissionDenied, then
    ValidationError naming the field; writes nothing in either case."""
    require_admin(user)
    reason = reason_required(reason)
    _check(change)
    model = SUCCESSION_MODELS[body]
    rows = [
        attest(
            model(
                predecessor=change.predecessor,
                successor=successor,
                date=change.date,
                kind=change.kind,
                note=change.note.strip(),
            ),
            user=user,
            reason=reason,
            source=source,
        )
        for successor in change.successors
    ]
    for row in rows:
        save_with_reason(row, actor=user, reason=reason)
    _close(change, user=user, reason=reason)
    succeeded.send(sender=model, successions=rows, user=user)
    return rows


def _close(change: SuccessionChange, *, user: AbstractBaseUser, reason: str) -> None:
    """The predecessor's end and the successors' start, where not already stated earlier."""
    day_before = change.date - dt.timedelta(days=1)
    predecessor = change.predecessor
    if change.kind != SuccessionKind.BOUNDARY_CHANGE and (
        predecessor.valid_to is None or predecessor.valid_to > day_before
    ):
        predecessor.valid_to = day_before
        predecessor.full_clean()
        save_with_reason(predecessor, actor=user, reason=reason, update_fields=["valid_to"])
    if not change.successors_start:
        return
    for successor in change.successors:
        if successor.valid_from is None or successor.valid_from > change.date:
            successor.valid_from = change.date
            successor.full_clean()
            save_with_reason(successor, actor=user, reason=reason, update_fields=["valid_from"])


def in_force_on(queryset, day: dt.date):
    """Organisations or boards in being on ``day``."""
    return queryset.filter(valid_on(day))
