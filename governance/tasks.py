"""Celery tasks of governance: thin wrappers around its services."""

from celery import shared_task

from .notifications import notifications_send


@shared_task(name="governance.tasks.notifications_send_daily")
def notifications_send_daily() -> int:
    """Send the day's notices to board secretaries (idempotent: each event is sent once)."""
    return notifications_send()
