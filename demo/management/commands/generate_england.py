from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.england import england_generate


class Command(BaseCommand):
    help = (
        "Replace the England-scale synthetic (illustrative) data: systems, Places, governance, "
        "metrics, targets and monthly observations, deterministic for a seed. PostgreSQL only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--systems", type=int, default=42)
        parser.add_argument("--places-per-system", type=int, default=5)
        parser.add_argument("--metrics", type=int, default=400)
        parser.add_argument("--months", type=int, default=120)
        parser.add_argument("--seed", type=int, default=2019)

    def handle(self, *args, systems, places_per_system, metrics, months, seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                f"generate_england loads with PostgreSQL COPY; this database is "
                f"{connection.vendor}. Set DATABASE_URL to a PostgreSQL database."
            )
        try:
            report = england_generate(
                systems=systems,
                places_per_system=places_per_system,
                metrics=metrics,
                months=months,
                seed=seed,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if report.removed:
            removed = sum(report.removed.values())
            self.stdout.write(f"Replaced the previous synthetic England ({removed:,} rows).")
        width = max(map(len, report.created))
        for table, count in report.created.items():
            self.stdout.write(f"  {table:<{width}}  {count:>12,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic England (seed {seed}): {sum(report.created.values()):,} rows "
                f"in {report.seconds:.1f} s."
            )
        )
