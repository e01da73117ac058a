"""Loading a whole system from a portal fixture, and removing one: each app loads its own rows,
lowest layer first, in one transaction. Every row is found by its key within the system, so
loading, reloading or removing one system never changes a row of another."""

from collections import Counter

from django.db import transaction

from assurance.loading import assurance_load
from governance.loading import governance_load
from metrics.loading import metrics_fixture_check, metrics_load, metrics_release
from places.loading import FixtureWriter, LoadReport, fixture_check, places_load
from places.models import System


@transaction.atomic
def system_load(*, fixture: dict) -> LoadReport:
    """Load a system from a portal fixture; a second load of the same fixture changes nothing."""
    fixture_check(fixture)
    metrics_fixture_check(fixture)
    writer = FixtureWriter()
    places = places_load(fixture=fixture, writer=writer)
    governance = governance_load(fixture=fixture, writer=writer, places=places)
    metrics_load(fixture=fixture, writer=writer, places=places, governance=governance)
    assurance_load(fixture=fixture, writer=writer, places=places, governance=governance)
    return writer.report


@transaction.atomic
def system_unload(*, slug: str) -> Counter:
    """Remove the system ``slug`` and every row that belongs only to it (its documents,
    Places, organisations, boards, people, series, snapshots, risks…, and the national
    metrics no other system uses); rows per model deleted. ``System.DoesNotExist`` if none."""
    system = System.objects.get(slug=slug)
    metrics_release(system=system)
    _, deleted = system.delete()
    return Counter(deleted)
