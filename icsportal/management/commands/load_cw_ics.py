from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand

from .load_system import load_fixture

# The system's fixture lives with the places app, beside the documents it cites.
DEFAULT_FIXTURE = Path(apps.get_app_config("places").path) / "fixtures" / "cw_ics.json"


class Command(BaseCommand):
    help = (
        "Load the Coventry and Warwickshire system from the fixture in the repository "
        "(idempotent): load_system with C&W's fixture."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fixture", type=Path, default=DEFAULT_FIXTURE)

    def handle(self, *args, fixture, **options):
        load_fixture(self, fixture)
