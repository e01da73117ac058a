"""One FilterSet per listable model of this app; the API and the HTML lists share them."""

import django_filters as filters
from django.db.models import Q

from .choices import PriorityStatus
from .models import Document, Place, Priority, System


class SearchFilterSet(filters.FilterSet):
    """A FilterSet with ``q``, a case-insensitive search over ``search_fields``."""

    search_fields: tuple[str, ...] = ()
    q = filters.CharFilter(method="search", label="Search")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class ModifiedSinceFilterSet(SearchFilterSet):
    """Adds ``modified_since`` (an ISO date-time) for incremental sync."""

    modified_since = filters.IsoDateTimeFilter(field_name="modified_at", lookup_expr="gte")


class SystemFilterSet(SearchFilterSet):
    search_fields = ("name", "short_name", "description")

    class Meta:
        model = System
        fields = ["q"]


class PlaceFilterSet(SearchFilterSet):
    search_fields = ("name",)
    system = filters.ModelChoiceFilter(queryset=System.objects.all(), to_field_name="slug")

    class Meta:
        model = Place
        fields = ["q", "system"]


class PriorityFilterSet(SearchFilterSet):
    search_fields = ("title", "description")
    place = filters.ModelChoiceFilter(queryset=Place.objects.all(), to_field_name="slug")
    status = filters.ChoiceFilter(choices=PriorityStatus.choices)

    class Meta:
        model = Priority
        fields = ["q", "place", "status"]


class DocumentFilterSet(SearchFilterSet):
    search_fields = ("title", "short_title", "file_name", "description")

    class Meta:
        model = Document
        fields = ["q"]
