import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from places.extraction import ExtractionError, convert
from places.renaming import RenameMap, renamed_copy


class Command(BaseCommand):
    help = (
        "Build a second system's fixture from a system's data files renamed by a rename map: "
        "writes the fixture, its editorial file and the renamed documents beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("extraction", type=Path, help="facts extracted from the documents")
        parser.add_argument("editorial", type=Path, help="the system's editorial choices")
        parser.add_argument("rename", type=Path, help="the rename map (names and overrides)")
        parser.add_argument("output", type=Path, help="fixture to write")
        parser.add_argument(
            "--documents", type=Path, required=True, help="folder of the system's documents"
        )

    def handle(self, *args, extraction, editorial, rename, output, documents, **options):
        extraction, editorial, rename, output, documents = map(
            Path, (extraction, editorial, rename, output, documents)
        )

        def read(path: Path) -> dict:
            return json.loads(path.read_text(encoding="utf-8"))

        try:
            names = RenameMap.from_json(read(rename))
            copy = renamed_copy(
                extraction=read(extraction),
                editorial=read(editorial),
                documents=documents,
                rename=names,
            )
            line_counts = {name: len(text.splitlines()) for name, text in copy.documents.items()}
            fixture = convert(copy.extraction, copy.editorial, line_counts)
        except (OSError, ValueError, KeyError, ExtractionError) as exc:
            raise CommandError(f"{rename}: {exc}") from exc
        folder = output.parent / "documents"
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in copy.documents.items():
            (folder / name).write_text(text, encoding="utf-8")
        dump = json.dumps(fixture, indent=1, ensure_ascii=False) + "\n"
        output.write_text(dump, encoding="utf-8")
        output.with_suffix(".editorial.json").write_text(
            json.dumps(copy.editorial, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {output}, its editorial file and {len(copy.documents)} documents"
            )
        )
