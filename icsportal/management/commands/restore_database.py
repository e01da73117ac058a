from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ._backup import manifest_path, restore, verify


class Command(BaseCommand):
    help = (
        "Restore a backup_database archive into a new database, then check it: migrations "
        "applied, every table's row count as in the manifest, and the portal's pages render."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--database", required=True, help="The database to create")
        parser.add_argument(
            "--replace", action="store_true", help="Drop the database first if it exists"
        )

    def handle(self, *args, archive: Path, database: str, replace: bool, **options):
        if not archive.is_file() or not manifest_path(archive).is_file():
            raise CommandError(f"No archive {archive} with its manifest {manifest_path(archive)}.")
        restore(archive, database=database, replace=replace)
        self.stdout.write(f"Restored {archive} into {database}.")
        self.stdout.write(verify(archive, database=database))
