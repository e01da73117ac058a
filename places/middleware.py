"""The answer to a link that did not name its system, where several systems the user may see
have the key it asks for: a page of the matches, each a link naming its system."""

from django.shortcuts import render

from .links import SYSTEM_PARAMETER
from .pages import SystemChoice


def choice_url(request, system) -> str:
    """The URL asked for, its other parameters kept, naming ``system``."""
    params = request.GET.copy()
    params[SYSTEM_PARAMETER] = system.slug
    return f"{request.path}?{params.urlencode()}"


class SystemChoiceMiddleware:
    """Answers ``SystemChoice`` with HTTP 300 Multiple Choices: the page is not the one asked
    for but a list of those it may mean, and a link checker sees a link that should have named
    its system. Nothing was written: a view looks its row up before any change."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, SystemChoice):
            return None
        choices = [
            {"row": row, "system": row.system, "url": choice_url(request, row.system)}
            for row in exception.rows
        ]
        return render(request, "places/system_choice.html", {"choices": choices}, status=300)
