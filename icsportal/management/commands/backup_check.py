import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connection

from ._backup import drop, dump, restore, verify


class Command(BaseCommand):
    help = (
        "Prove the backups work: dump this database, restore it into a scratch database, "
        "check migrations, row counts and a page there, then drop the scratch database."
    )

    def handle(self, *args, **options):
        scratch = f"{connection.settings_dict['NAME']}_restore_check"[:63]
        with tempfile.TemporaryDirectory() as folder:
            archive = Path(folder) / "check.dump"
            manifest = dump(archive)
            try:
                restore(archive, database=scratch, replace=True)
                report = verify(archive, database=scratch)
            finally:
                drop(scratch)
        rows = sum(manifest["tables"].values())
        self.stdout.write(report)
        self.stdout.write(
            f"Backup check passed: {len(manifest['tables'])} tables and {rows:,} rows "
            "dumped, restored and verified."
        )
