"""Roles are per system: a Place's or a board's pages (every page under ``/places/<slug>/`` and
``/boards/<slug>/``, in every app) are no such page (404) to a user not granted its system."""

from django.http import Http404

from governance.models import Board
from icsportal.roles import can_see_system, visible_system_ids
from places.models import Place

# The URL prefixes of the pages of one Place or board, and where their slug leads.
_SCOPED = (("places/<slug:slug>/", Place), ("boards/<slug:slug>/", Board))


class SystemScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("slug")
        match = request.resolver_match
        # A page for anonymous users (a private calendar link) checks its token's owner itself.
        if not request.user.is_authenticated:
            return None
        if not slug or match is None or visible_system_ids(request.user) is None:
            return None
        for prefix, model in _SCOPED:
            if match.route.startswith(prefix):
                system_id = model.objects.filter(slug=slug).values_list("system_id", flat=True)
                found = system_id.first()
                if found is not None and not can_see_system(request.user, found):
                    raise Http404("No such page.")
        return None
