"""Which system a page of one system shows, for every app's views: the one named by
``?system=<slug>``, else the first by name the user may see. Roles are per system, so a system
the user was not granted is no such page (404), like one that does not exist."""

from django.http import Http404

from icsportal.roles import visible_rows

from .links import SYSTEM_PARAMETER
from .models import System


def visible_systems(user):
    """The systems the user may see, by name."""
    return visible_rows(user, System.objects.order_by("name"))


def page_system(request, *, required: bool = True) -> System | None:
    """The system the page shows; Http404 for a slug of no system the user may see, and
    (when ``required``) when the user may see none. The systems the user may see are kept on
    the request (one query), for the header's switcher on this page."""
    slug = request.GET.get(SYSTEM_PARAMETER)
    systems = list(visible_systems(request.user))
    request.portal_systems = systems
    if slug:
        system = next((s for s in systems if s.slug == slug), None)
    else:
        system = systems[0] if systems else None
    if system is None and (slug or required):
        raise Http404("No system has that name." if slug else "No system is loaded yet.")
    return system


class SystemChoice(Exception):
    """More than one system the user may see has the key asked for, and the request named none:
    ``places.middleware.SystemChoiceMiddleware`` answers with the list of them to choose from."""

    def __init__(self, rows: list):
        super().__init__("More than one system has this; name one with ?system=<slug>.")
        self.rows = rows


def one_by_key(request, queryset, key: str):
    """The row of ``queryset`` with ``key`` that the user may see: keys are unique only within
    a system, so ``?system=<slug>`` says which. Without it, a key that two systems the user sees
    both have raises ``SystemChoice`` with their rows; a key of no system the user may see (or
    not of the system named) is no such page (404)."""
    rows = visible_rows(request.user, queryset.filter(key=key))
    if request.GET.get(SYSTEM_PARAMETER):
        rows = rows.filter(system__slug=request.GET[SYSTEM_PARAMETER])
    # system: the choice page names each row's system
    found = list(rows.select_related("system").order_by("system__name"))
    if len(found) == 1:
        return found[0]
    if found:
        raise SystemChoice(found)
    raise Http404("No such page.")
