"""Carried series: after a merger, replacement or rename, the predecessor organisation's series
continues in its successor's before the date of the change.

The predecessor's series is the one source of truth for those periods. A ``SeriesCarry`` says
which series is carried into which; the successor's observations before the date are copies of
the predecessor's (each saying so in its note), made when the succession is recorded and made
again, in the same transaction, whenever the predecessor's observations change: every writer of
observations asks for its series' snapshots to be recomputed (``outbox.recompute_after_commit``),
which brings the series carried from them up to date first. So a correction to the
predecessor's series reaches the successor's series, its charts, the API and its SPC together.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from governance.models import OrganisationSuccession

from .models import Observation, Series, SeriesCarry

# What a carried observation copies of the predecessor's (its note says where it came from).
CARRIED_FIELDS = (
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "provenance",
    "source_document_id",
    "source_line",
    "also_sources",
    "as_written",
)


def carry_start(*, succession: OrganisationSuccession, source: Series, target: Series) -> bool:
    """Carry ``source`` into ``target`` before the succession's date, from now on; False, and
    nothing written, where ``target`` has values before then or is carried from another
    series already (two bodies' series are never joined)."""
    if (
        target.observations.filter(period_start__lt=succession.date).exists()
        or target.carried_from.exists()
    ):
        return False
    carry = SeriesCarry(succession=succession, source=source, target=target)
    carry.full_clean()
    carry.save()
    _sync(carry)
    return True


def carries_refresh(*, series_ids: Iterable[int]) -> list[int]:
    """Bring every series carried from one of ``series_ids`` up to date with it (and those
    carried from those, along a chain of successions); the ids of the series changed."""
    changed: set[int] = set()
    frontier = set(series_ids)
    while frontier:
        carries = SeriesCarry.objects.filter(source_id__in=frontier).select_related(
            "succession__predecessor"
        )
        frontier = set()
        for carry in carries:
            if _sync(carry) and carry.target_id not in changed:
                changed.add(carry.target_id)
                frontier.add(carry.target_id)
    return sorted(changed)


def carried_note(succession: OrganisationSuccession) -> str:
    """What a carried observation's note starts with."""
    return (
        f"Carried over from {succession.predecessor}'s series "
        f"({succession.get_kind_display().lower()} on {succession.date_text})."
    )


def _sync(carry: SeriesCarry) -> bool:
    """Make the target's observations before the date the source's: add, change and remove
    only what differs; whether anything did."""
    date = carry.succession.date
    prefix = carried_note(carry.succession)
    wanted = {
        row["period_start"]: {
            **{name: row[name] for name in CARRIED_FIELDS},
            "note": f"{prefix} {row['note']}".strip(),
        }
        for row in Observation.objects.filter(
            series_id=carry.source_id, period_start__lt=date
        ).values(*CARRIED_FIELDS, "note")
    }
    held = {
        o.period_start: o
        for o in Observation.objects.filter(series_id=carry.target_id, period_start__lt=date)
    }
    stale = [o.pk for period, o in held.items() if period not in wanted]
    new, changed = [], []
    now = timezone.now()
    for period, values in wanted.items():
        obs = held.get(period)
        if obs is None:
            new.append(Observation(series_id=carry.target_id, **values))
        elif any(getattr(obs, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(obs, name, value)
            obs.modified_at = now
            changed.append(obs)
    Observation.objects.filter(pk__in=stale).delete()
    fields = [n.removesuffix("_id") for n in CARRIED_FIELDS if n != "period_start"]
    fields += ["note", "modified_at"]
    Observation.objects.bulk_update(changed, fields)
    Observation.objects.bulk_create(new)
    return bool(stale or changed or new)
