from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from metrics.imports import ImportFailed, observations_import


class Command(BaseCommand):
    help = (
        "Import observations from a CSV (UTF-8) or XLSX file with the columns metric, "
        "subject_type, subject, period, value and optionally note. All or nothing: any bad row "
        "refuses the whole file (rows are numbered as in a spreadsheet: the header is row 1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", metavar="USERNAME", help="record this user as the uploader")

    def handle(self, *args, file: Path, user: str | None, **options):
        uploader = None
        if user:
            User = get_user_model()
            try:
                uploader = User.objects.get(**{User.USERNAME_FIELD: user})
            except User.DoesNotExist:
                raise CommandError(f"There is no user {user!r}.") from None
        try:
            with file.open("rb") as stream:
                result = observations_import(file=stream, file_name=file.name, user=uploader)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        except ImportFailed as exc:
            lines = "\n".join(f"  {message}" for message in exc.messages)
            raise CommandError(
                f"{file.name}: nothing was imported; {exc.total} "
                f"error{'s' if exc.total != 1 else ''}:\n{lines}"
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {file.name}: {result.rows} rows; {result.created} created, "
                f"{result.updated} updated, {result.unchanged} unchanged "
                f"(batch {result.batch.pk}, {result.series_created} new series)."
            )
        )
