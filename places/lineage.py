"""Systems that change: a Place that moves to another system on a date, and clusters of systems.

Only administrators record these changes. Each service checks permission, then validates, then
writes the rows and their history in one transaction, so a refused request changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from icsportal.history import reason_required, save_with_reason
from icsportal.roles import is_admin

from .models import Attested, Cluster, ClusterMembership, Document, Place, PlaceInSystem, System

ONLY_ADMINS = "Only administrators record changes to the structure of systems."
# The dates a change to the structure may carry: NHS bodies, not the calendar's ends (a day
# before 1 January of year 1 does not exist).
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2200, 12, 31)


def date_errors(**dates: dt.date | None) -> dict[str, str]:
    """An error for each given date outside the years 1900 to 2200, by its field's name."""
    return {
        name: f"Enter a date between {EARLIEST.year} and {LATEST.year}."
        for name, day in dates.items()
        if day is not None and not EARLIEST <= day <= LATEST
    }


@dataclass(frozen=True)
class StatedSource:
    """Where a change to the structure is stated: a document and line, or a person on a date."""

    document: Document | None = None
    line: int | None = None
    stated_by: str = ""
    stated_on: dt.date | None = None

    def fields(self) -> dict:
        return {
            "source_document": self.document,
            "source_line": self.line,
            "stated_by": " ".join(self.stated_by.split()),
            "stated_on": self.stated_on,
        }


def require_admin(user: AbstractBaseUser) -> None:
    if not is_admin(user):
        raise PermissionDenied(ONLY_ADMINS)


def attest(record: Attested, *, user: AbstractBaseUser, reason: str, source: StatedSource):
    """Fill a record's reason, source and who recorded it, then check it (``full_clean``)."""
    record.reason = reason
    for name, value in source.fields().items():
        setattr(record, name, value)
    record.recorded_by = user if user.is_authenticated else None
    record.recorded_at = timezone.now()
    record.full_clean()
    return record


@transaction.atomic
def place_move(
    *,
    user: AbstractBaseUser,
    place: Place,
    system: System,
    date: dt.date,
    reason: str,
    source: StatedSource,
) -> PlaceInSystem:
    """Record that ``place`` belongs to ``system`` from ``date``: its record in its previous
    system ends the day before (one is created, from an unstated start, if it had none), and
    ``Place.system`` becomes ``system`` once the date has come."""
    require_admin(user)
    reason = reason_required(reason)
    if date is None:
        raise ValidationError({"date": "Enter the date the Place moves."})
    if errors := date_errors(date=date):
        raise ValidationError(errors)
    current = place.systems_over_time.filter(valid_to__isnull=True).order_by("-valid_from").first()
    old_system_id = current.system_id if current else place.system_id
    if old_system_id == system.pk:
        raise ValidationError({"system": f"{place.name} is already in {system.name} then."})
    if current and current.valid_from and current.valid_from >= date:
        raise ValidationError(
            {
                "date": f"{place.name} joined its present system on {current.valid_from}; "
                "a move must come after it."
            }
        )
    if current is None:
        current = PlaceInSystem(place=place, system_id=old_system_id)
    current.valid_to = date - dt.timedelta(days=1)
    attest(current, user=user, reason=reason, source=source)
    moved = attest(
        PlaceInSystem(place=place, system=system, valid_from=date),
        user=user,
        reason=reason,
        source=source,
    )
    save_with_reason(current, actor=user, reason=reason)
    save_with_reason(moved, actor=user, reason=reason)
    if date <= timezone.localdate():
        # Place has no history table: the place-in-system rows keep the change and its reason.
        place.system = system
        place.save(update_fields=["system"])
    return moved


@dataclass(frozen=True)
class ClusterChange:
    """A cluster's name, dates and member systems, as an administrator records them."""

    name: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    systems: list[System]
    note: str = ""


@transaction.atomic
def cluster_create(
    *, user: AbstractBaseUser, change: ClusterChange, reason: str, source: StatedSource
) -> Cluster:
    """Record a cluster of systems and each system's membership of it, over the same dates."""
    require_admin(user)
    reason = reason_required(reason)
    name = " ".join((change.name or "").split())
    errors = date_errors(valid_from=change.valid_from, valid_to=change.valid_to)
    if not name or not slugify(name):
        errors["name"] = "Enter the cluster's name, in letters or numbers."
    elif Cluster.objects.filter(slug=slugify(name)).exists():
        errors["name"] = f"A cluster called {name} is already recorded."
    if len(change.systems) < 2:
        errors["systems"] = "A cluster joins at least two systems."
    if errors:
        raise ValidationError(errors)
    slug = slugify(name)
    cluster = attest(
        Cluster(
            key=f"cluster_{slug.replace('-', '_')}"[:80],
            slug=slug,
            name=name,
            note=change.note.strip(),
            valid_from=change.valid_from,
            valid_to=change.valid_to,
        ),
        user=user,
        reason=reason,
        source=source,
    )
    save_with_reason(cluster, actor=user, reason=reason)
    for system in change.systems:
        joined = attest(
            ClusterMembership(
                cluster=cluster,
                system=system,
                valid_from=change.valid_from,
                valid_to=change.valid_to,
            ),
            user=user,
            reason=reason,
            source=source,
        )
        save_with_reason(joined, actor=user, reason=reason)
    return cluster


def places_follow_moves(today: dt.date | None = None) -> int:
    """Make each Place's current system (``Place.system``) the one its place-in-system records
    give for ``today``: a move recorded ahead of its date takes effect on the day. Returns how
    many Places changed. The records themselves keep who recorded each move and why."""
    today = today or timezone.localdate()
    changed = 0
    moved = Place.objects.filter(pk__in=PlaceInSystem.objects.values("place_id"))
    for place in moved.with_system_on(today):
        if place.system_on != place.system_id:
            Place.objects.filter(pk=place.pk).update(system_id=place.system_on)
            changed += 1
    return changed
