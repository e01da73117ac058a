from celery import shared_task

from .selectors import system_counts


@shared_task(name="places.system_counts")
def system_counts_task(system_slug: str) -> dict:
    """Counts of a system's Places, boards and seats, read by a worker from the database."""
    return system_counts(system_slug=system_slug)
