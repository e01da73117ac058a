"""Pages drawn for a date: ``?as_at=YYYY-MM-DD`` (or its alias ``active_on``), read as the API
reads it (``icsportal.validity.as_at_of``); a value that is not a date is a 400 page naming
the parameter."""

from django.shortcuts import render

from .validity import InvalidAsAt, as_at_of


def bad_request_page(request, message: str):
    """400: the portal's page saying what in the address is wrong (the message is the
    portal's own text naming the parameter, never the value sent)."""
    return render(request, "bad_request.html", {"message": message}, status=400)


class AsAtPageMixin:
    """A view whose page can be drawn for a date: ``self.as_at`` is that date, or None for
    today. A value that is not a date is a 400 page, before anything is read."""

    as_at = None

    def dispatch(self, request, *args, **kwargs):
        try:
            self.as_at = as_at_of(request.GET)
        except InvalidAsAt as error:
            return bad_request_page(request, str(error))
        return super().dispatch(request, *args, **kwargs)
