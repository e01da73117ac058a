from django.db.models import Prefetch

from governance.models import Membership

from .choices import FactKind
from .models import Fact, Place, System


def system_overview(*, system: System | None = None):
    """The system (first by name when none is given), its Places with headline populations,
    and the system's own population fact."""
    system = system or System.objects.first()
    if system is None:
        return None, [], None
    population = (
        Fact.objects.filter(system=system, place=None, kind=FactKind.POPULATION, is_headline=True)
        .select_related("source_document")
        .first()
    )
    places = (
        Place.objects.filter(system=system)
        # headline: the card shows the population fact and its citation
        .prefetch_related(
            Prefetch(
                "facts",
                queryset=Fact.objects.filter(
                    is_headline=True, kind=FactKind.POPULATION
                ).select_related("source_document"),
                to_attr="headline_population",
            )
        )
        .order_by("name")
    )
    return system, list(places), population


def system_counts(*, system_slug: str) -> dict:
    """How many Places, organisations, boards and seats a system has."""
    system = System.objects.get(slug=system_slug)
    return {
        "places": system.places.count(),
        "organisations": system.organisations.count(),
        "boards": system.boards.count(),
        "memberships": Membership.objects.filter(board__system=system).count(),
    }
