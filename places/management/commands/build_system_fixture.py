import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from places.extraction import ExtractionError, convert


class Command(BaseCommand):
    help = (
        "Build the portal's fixture for a system from an extraction of facts (schema 1.0) "
        "and an editorial file; copies the cited documents beside the fixture."
    )

    def add_arguments(self, parser):
        parser.add_argument("extraction", type=Path, help="facts extracted from the documents")
        parser.add_argument("editorial", type=Path, help="editorial choices (short titles, areas)")
        parser.add_argument("output", type=Path, help="fixture to write")
        parser.add_argument(
            "--documents",
            type=Path,
            help="folder of the cited documents, to check every cited line exists",
        )

    def handle(self, *args, extraction, editorial, output, documents, **options):
        data = json.loads(extraction.read_text(encoding="utf-8"))
        choices = json.loads(editorial.read_text(encoding="utf-8"))
        line_counts = {}
        if documents:
            for path in sorted(documents.glob("*.txt")):
                line_counts[path.name] = len(path.read_text(encoding="utf-8").splitlines())
        try:
            fixture = convert(data, choices, line_counts)
        except ExtractionError as exc:
            raise CommandError(str(exc)) from exc
        output.write_text(
            json.dumps(fixture, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        sizes = ", ".join(f"{len(v)} {k}" for k, v in fixture.items() if isinstance(v, list))
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}: {sizes}"))
