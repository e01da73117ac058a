from django.core.management.base import BaseCommand, CommandError

from icsportal.loading import system_unload
from places.models import System


class Command(BaseCommand):
    help = (
        "Remove one system and every row that belongs only to it; no row of another system changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the system's slug (as in /?system=<slug>)")

    def handle(self, *args, slug, **options):
        try:
            deleted = system_unload(slug=slug)
        except System.DoesNotExist as exc:
            raise CommandError(f"No system has the slug {slug!r}.") from exc
        for label, count in sorted(deleted.items()):
            self.stdout.write(f"  {label}: {count} deleted")
        self.stdout.write(self.style.SUCCESS(f"Removed {slug}: {deleted.total()} rows."))
