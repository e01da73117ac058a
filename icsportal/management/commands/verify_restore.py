import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client


class _RolledBack(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Check the database this process uses against a backup manifest: every migration "
        "applied, every table's row count, and the overview and /healthz answer 200."
    )

    def add_arguments(self, parser):
        parser.add_argument("manifest", type=Path)

    def handle(self, *args, manifest: Path, **options):
        expected = json.loads(manifest.read_text(encoding="utf-8"))["tables"]
        # As `migrate --check`: nothing in the code's migrations is missing from the database.
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes(DEFAULT_DB_ALIAS))
        if plan:
            missing = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan)
            raise CommandError(f"Migrations not applied: {missing}.")

        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            present = {r[0] for r in cursor.fetchall()}
            wrong = []
            for table, count in sorted(expected.items()):
                if table not in present:
                    wrong.append(f"{table} is missing")
                    continue
                cursor.execute(f'SELECT COUNT(*) FROM "{table.replace(chr(34), chr(34) * 2)}"')  # noqa: S608  # nosec B608
                found = cursor.fetchone()[0]
                if found != count:
                    wrong.append(f"{table} has {found:,} rows, the backup {count:,}")
        if wrong:
            raise CommandError("Row counts differ: " + "; ".join(wrong) + ".")

        statuses = self._pages()
        bad = {path: code for path, code in statuses.items() if code != 200}
        if bad:
            raise CommandError(f"Pages did not render: {bad}.")
        rows = sum(expected.values())
        return (
            f"Verified: migrations applied, {len(expected)} tables and {rows:,} rows as in the "
            f"backup, {', '.join(statuses)} answered 200."
        )

    @staticmethod
    def _pages() -> dict[str, int]:
        """The status of each smoke page for a signed-in administrator made only for this
        check: the user and their session are rolled back, so the database is left as it was."""
        host = next((h for h in settings.ALLOWED_HOSTS if h and "*" not in h), "localhost")
        client = Client(HTTP_HOST=host.lstrip("."))
        statuses = {}
        try:
            with transaction.atomic():
                user = get_user_model().objects.create_superuser("restore-check", password=None)
                client.force_login(user)
                for path in ("/healthz", "/", "/metrics/"):
                    statuses[path] = client.get(path, secure=True).status_code
                raise _RolledBack
        except _RolledBack:
            pass
        return statuses
