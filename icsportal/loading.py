"""Loading a whole system from a portal fixture: each app loads its own rows, lowest layer first,
in one transaction."""

from django.db import transaction

from assurance.loading import assurance_load
from governance.loading import governance_load
from metrics.loading import metrics_load
from places.loading import FixtureWriter, LoadReport, fixture_check, places_load


@transaction.atomic
def system_load(*, fixture: dict) -> LoadReport:
    """Load a system from a portal fixture; a second load of the same fixture changes nothing."""
    fixture_check(fixture)
    writer = FixtureWriter()
    places = places_load(fixture=fixture, writer=writer)
    governance = governance_load(fixture=fixture, writer=writer, places=places)
    metrics_load(fixture=fixture, writer=writer, places=places, governance=governance)
    assurance_load(fixture=fixture, writer=writer, places=places, governance=governance)
    return writer.report
