"""The API's filter backend: each list's FilterSet, skipped when the request filters nothing."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from icsportal.roles import visible_rows


def _non_filter_params(view) -> set[str]:
    """Query parameters that page, order or format a list rather than filter it."""
    names = {api_settings.URL_FORMAT_OVERRIDE, api_settings.ORDERING_PARAM}
    paginator = getattr(view, "paginator", None)
    for attribute in ("page_query_param", "page_size_query_param", "cursor_query_param"):
        names.add(getattr(paginator, attribute, None))
    return names


class PortalFilterBackend(DjangoFilterBackend):
    """django-filter's backend; a request with no filter parameter gets the list unfiltered
    (but for the systems the user may not see).

    Bound to no value, every filter of the portal's FilterSets leaves the list as it is, so
    building and validating the FilterSet's form (a few milliseconds on every page of every
    list) changes nothing then; any other parameter goes through the FilterSet, which refuses
    unknown values with 400.
    """

    def filter_queryset(self, request, queryset, view):
        # Roles are per system: rows of a system the user was not granted are not there.
        queryset = visible_rows(request.user, queryset)
        if set(request.query_params) <= _non_filter_params(view):
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            # The form's own messages, formatted once by Django. django-filter formats each
            # message with % again, so a value holding "%" (echoed in a message) broke it.
            raise ValidationError(
                {name: list(messages) for name, messages in filterset.errors.items()}
            )
        return filterset.qs
