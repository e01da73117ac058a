"""As-at: which rows were in force on a date, by their ``valid_from`` and ``valid_to``.

``?as_at=YYYY-MM-DD`` (or its alias ``active_on``) answers "who governed what on that date" on
every list of dated things (systems, Places, organisations, boards) in the API and on the pages;
an unstated start counts as already begun, an unstated end as still in force.
"""

import datetime as dt

import django_filters as filters
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
