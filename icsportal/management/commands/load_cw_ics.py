import json
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from icsportal.loading import system_load

# The system's fixture lives with the places app, beside the documents it cites.
DEFAULT_FIXTURE = Path(apps.get_app_config("places").path) / "fixtures" / "cw_ics.json"


class Command(BaseCommand):
    help = (
        "Load the Coventry and Warwickshire system from the fixture in the repository (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fixture", type=Path, default=DEFAULT_FIXTURE)

    def handle(self, *args, fixture, **options):
        try:
            data = json.loads(fixture.read_text(encoding="utf-8"))
            report = system_load(fixture=data)
        except (OSError, ValueError) as exc:
            raise CommandError(f"{fixture}: {exc}") from exc
        for line in report.lines():
            self.stdout.write(f"  {line}")
        verdict = (
            f"{report.changed} rows created or updated" if report.changed else "nothing changed"
        )
        self.stdout.write(self.style.SUCCESS(f"Loaded {fixture.name}: {verdict}."))
