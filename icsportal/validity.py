"""As-at: which rows were in force on a date, by their ``valid_from`` and ``valid_to``.

``?as_at=YYYY-MM-DD`` (or its alias ``active_on``) answers "who governed what on that date" on
every list of dated things (systems, Places, organisations, boards) in the API and on the pages;
an unstated start counts as already begun, an unstated end as still in force.
"""

import datetime as dt

import django_filters as filters
from django.core.exceptions import ValidationError
from django.db.models import Q

AS_AT_LABEL = "In force on (YYYY-MM-DD)"


def valid_on(day: dt.date, prefix: str = "") -> Q:
    """Rows in force on ``day`` (``prefix``: the path to the dated row, as ``"board__"``)."""
    start, end = f"{prefix}valid_from", f"{prefix}valid_to"
    return (Q(**{f"{start}__isnull": True}) | Q(**{f"{start}__lte": day})) & (
        Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": day})
    )


class AsAtFilterSet(filters.FilterSet):
    """``as_at`` and its alias ``active_on``: the rows in force on that date. A FilterSet of a
    dated model lists this first among its bases; ``as_at_day`` gives the date to its other
    filters (a Place's system on the date)."""

    as_at = filters.DateFilter(method="filter_as_at", label=AS_AT_LABEL)
    active_on = filters.DateFilter(method="filter_as_at", label=f"{AS_AT_LABEL}; as as_at")

    @property
    def as_at_day(self) -> dt.date | None:
        data = getattr(self.form, "cleaned_data", {})
        return data.get("as_at") or data.get("active_on")

    def filter_as_at(self, queryset, name, value):
        return queryset.filter(valid_on(value)) if value else queryset


# The query parameters that ask for a date, in the order a page reads them.
AS_AT_PARAMETERS = ("as_at", "active_on")


class InvalidAsAt(ValueError):
    """A page's ``as_at`` (or ``active_on``) that is not a date: ``parameter`` names it."""

    def __init__(self, parameter: str):
        self.parameter = parameter
        super().__init__(
            f"{parameter}: enter a real date as YYYY-MM-DD, for example 2019-09-01, "
            "or leave it out for today."
        )


def as_at_of(query) -> dt.date | None:
    """The date a page's query asks for with ``as_at`` or its alias ``active_on`` (``as_at``
    first), read by the API's own filters; None when neither is given. InvalidAsAt names the
    parameter whose value is not a date."""
    for parameter in AS_AT_PARAMETERS:
        value = query.get(parameter)
        if not value:
            continue
        try:
            return AsAtFilterSet.base_filters[parameter].field.clean(value)
        except ValidationError:
            raise InvalidAsAt(parameter) from None
    return None
