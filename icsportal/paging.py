"""The page a paged HTML list is asked for."""

from django.http import Http404


def page_number(request, *, missing: str = "No such page.") -> int:
    """``?page=`` as a number from 1; anything else is a 404 saying ``missing``."""
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise Http404(missing)
    return int(raw)
