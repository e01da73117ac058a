import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from icsportal.loading import system_load


class Command(BaseCommand):
    help = (
        "Load a system from a fixture built by build_system_fixture (idempotent; other "
        "systems are never changed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("fixture", type=Path, help="the system's fixture")

    def handle(self, *args, fixture, **options):
        load_fixture(self, fixture)


def load_fixture(command: BaseCommand, fixture: Path) -> None:
    """Load ``fixture`` and report to the command's output what changed."""
    try:
        data = json.loads(fixture.read_text(encoding="utf-8"))
        report = system_load(fixture=data)
    except (OSError, ValueError, KeyError) as exc:
        raise CommandError(f"{fixture}: {exc}") from exc
    for line in report.lines():
        command.stdout.write(f"  {line}")
    verdict = f"{report.changed} rows created or updated" if report.changed else "nothing changed"
    command.stdout.write(command.style.SUCCESS(f"Loaded {fixture.name}: {verdict}."))
