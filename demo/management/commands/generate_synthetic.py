from django.core.management.base import BaseCommand

from demo.synthetic import synthetic_generate
from places.models import System


class Command(BaseCommand):
    help = (
        "Create deterministic illustrative (synthetic) monthly series for every system's Places "
        "and providers, labelled synthetic wherever they are shown."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2019)

    def handle(self, *args, seed, **options):
        for system in System.objects.filter(is_synthetic=False).order_by("pk"):
            counts = synthetic_generate(system=system, seed=seed)
            summary = ", ".join(f"{v} {k}" for k, v in counts.items())
            self.stdout.write(self.style.SUCCESS(f"{system.name}: {summary} (synthetic)"))
