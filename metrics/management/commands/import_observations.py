from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from metrics.imports import Budget, ImportFailed, observations_import

BAR_WIDTH = 30


def progress_line(rows: int, total: int | None) -> str:
    """A textual progress bar: '[#######.......]  41% 12,000 of 29,000 rows'."""
    if not total:
        return f"{rows:,} rows read"
    share = min(rows / total, 1.0)
    filled = round(share * BAR_WIDTH)
    return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {share:4.0%} {rows:,} of {total:,} rows"


class Command(BaseCommand):
    help = (
        "Import observations from a CSV (UTF-8) or XLSX file with the columns metric, "
        "subject_type, subject, period, value and optionally note. All or nothing: any bad row "
        "refuses the whole file (rows are numbered as in a spreadsheet: the header is row 1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", metavar="USERNAME", help="record this user as the uploader")
        parser.add_argument(
            "--progress",
            action="store_true",
            help="show a progress bar on stderr even when it is not a terminal",
        )

    def handle(self, *args, file: Path, user: str | None, progress: bool = False, **options):
        uploader = None
        if user:
            User = get_user_model()
            try:
                uploader = User.objects.get(**{User.USERNAME_FIELD: user})
            except User.DoesNotExist:
                raise CommandError(f"There is no user {user!r}.") from None
        shown = progress or self.stderr.isatty()
        budget = Budget.for_job(on_progress=self._show if shown else None)
        try:
            with file.open("rb") as stream:
                result = observations_import(
                    file=stream, file_name=file.name, user=uploader, budget=budget
                )
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        except ImportFailed as exc:
            self._end_line(shown)
            lines = "\n".join(f"  {message}" for message in exc.messages)
            raise CommandError(
                f"{file.name}: nothing was imported; {exc.total} "
                f"error{'s' if exc.total != 1 else ''}:\n{lines}"
            ) from exc
        self._end_line(shown)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {file.name}: {result.rows} rows; {result.created} created, "
                f"{result.updated} updated, {result.unchanged} unchanged "
                f"(batch {result.batch.pk}, {result.series_created} new series)."
            )
        )

    def _show(self, rows: int, total: int | None) -> None:
        # On one line, rewritten: a carriage return and no newline.
        self.stderr.write("\r" + progress_line(rows, total), ending="")
        self.stderr.flush()

    def _end_line(self, shown: bool) -> None:
        if shown:
            self.stderr.write("")
