"""Background work of the assurance layer: warming the dashboard pages after a publish."""

import logging

from celery import shared_task

from .fragments import warm_published_fragments

logger = logging.getLogger(__name__)


@shared_task(name="assurance.tasks.snapshot_pages_warm", ignore_result=True, expires=3600)
def snapshot_pages_warm(system_id: int, place_id: int | None = None) -> None:
    """Render and cache the dashboard fragments of a scope's newest snapshot."""
    warm_published_fragments(system_id=system_id, place_id=place_id)


def snapshot_published_warm(sender, *, system_id: int, place_id: int | None = None, **kwargs):
    """Receiver of ``metrics.signals.snapshot_published``: ask for the pages to be warmed in a
    task of their own on the ``pages`` queue, so the recompute does not wait (in process,
    without a broker, it runs here). A broker that cannot take it costs only a cold first view."""
    try:
        snapshot_pages_warm.apply_async((system_id, place_id), ignore_result=True, retry=False)
    except Exception:  # noqa: BLE001 - the pages render on their first view instead
        logger.warning("could not ask for the pages of %s/%s to be warmed", system_id, place_id)
