"""Which system a page of one system shows, for every app's views: the one named by
``?system=<slug>``, else the first by name the user may see. Roles are per system, so a system
the user was not granted is no such page (404), like one that does not exist."""

from django.http import Http404

from icsportal.roles import visible_rows

from .models import System


def visible_systems(user):
    """The systems the user may see, by name."""
    return visible_rows(user, System.objects.order_by("name"))


def page_system(request, *, required: bool = True) -> System | None:
    """The system the page shows; Http404 for a slug of no system the user may see, and
    (when ``required``) when the user may see none. The systems the user may see are kept on
    the request (one query), for the header's switcher on this page."""
    slug = request.GET.get("system")
    systems = list(visible_systems(request.user))
    request.portal_systems = systems
    if slug:
        system = next((s for s in systems if s.slug == slug), None)
    else:
        system = systems[0] if systems else None
    if system is None and (slug or required):
        raise Http404("No system has that name." if slug else "No system is loaded yet.")
    return system


def one_by_key(request, queryset, key: str):
    """The row of ``queryset`` with ``key`` that the user may see: keys are unique only within
    a system, so where two systems the user sees both have it, ``?system=<slug>`` says which
    (without it, no such page: a 404 that says to name the system)."""
    rows = visible_rows(request.user, queryset.filter(key=key))
    if request.GET.get("system"):
        rows = rows.filter(system__slug=request.GET["system"])
    found = list(rows[:2])
    if len(found) == 1:
        return found[0]
    if found:
        raise Http404("More than one system has this; add ?system=<the system's slug>.")
    raise Http404("No such page.")
