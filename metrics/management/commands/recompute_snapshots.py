from django.core.management.base import BaseCommand

from metrics.outbox import scope_recompute
from metrics.snapshots import SnapshotBusy
from places.models import System


class Command(BaseCommand):
    help = "Recompute and publish every snapshot now, in this process."

    def handle(self, *args, **options):
        for system in System.objects.prefetch_related("places").order_by("pk"):
            scopes = [(place.pk, place.name) for place in system.places.all()] + [
                (None, system.name)
            ]
            for place_id, name in scopes:
                try:
                    snapshot = scope_recompute(system_id=system.pk, place_id=place_id)
                except SnapshotBusy:
                    self.stdout.write(f"  {name}: already being built elsewhere")
                    continue
                self.stdout.write(
                    f"  {name}: snapshot {snapshot.pk}, {snapshot.series_count} series"
                )
