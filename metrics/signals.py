"""Signals by which metrics tells the apps above it what happened, without importing them."""

from django.dispatch import Signal

# Sent with ``system_id: int, place_id: int | None`` (None: the system's scope) after a scope's
# new snapshot is published, from ``transaction.on_commit``, so receivers read it committed.
# Receivers should be quick or enqueue a task: the publishing worker runs them in line.
snapshot_published = Signal()
