from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from ._backup import dump, manifest_path


class Command(BaseCommand):
    help = "Dump the PostgreSQL database (pg_dump, custom format) with a manifest of row counts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="The archive to write (default: backups/icsportal-<time>.dump)",
        )

    def handle(self, *args, output: Path | None = None, **options):
        archive = output or Path("backups") / f"icsportal-{timezone.now():%Y%m%dT%H%M%SZ}.dump"
        manifest = dump(archive)
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"{archive}: {len(manifest['tables'])} tables, {rows:,} rows "
            f"(manifest {manifest_path(archive)})"
        )
