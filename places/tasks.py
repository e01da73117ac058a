"""Celery tasks of places: thin wrappers around its services."""

from celery import shared_task

from .lineage import places_follow_moves


@shared_task(name="places.tasks.places_follow_moves_daily")
def places_follow_moves_daily() -> int:
    """Each Place's current system, as its recorded moves give it for today."""
    return places_follow_moves()
