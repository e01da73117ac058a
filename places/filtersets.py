"""One FilterSet per listable model of this app; the API and the HTML lists share them."""

import django_filters as filters

from icsportal.filtersets import KeyFilter, SearchFilterSet, SlugFilter
from icsportal.validity import AsAtFilterSet

from .choices import FactKind, PriorityStatus
from .models import (
    Cluster,
    DataQualityFlag,
    Document,
    Fact,
    Outcome,
    Place,
    PlaceInSystem,
    Priority,
    System,
)


class SystemFilterSet(AsAtFilterSet, SearchFilterSet):
    search_fields = ("name", "short_name", "description")

    class Meta:
        model = System
        fields = ["q", "as_at", "active_on"]


class PlaceFilterSet(AsAtFilterSet, SearchFilterSet):
    search_fields = ("name",)
    system = SlugFilter(
        label="System",
        queryset=System.objects.all(),
        noun="system",
        method="filter_system",
        help_text="The system's slug or id: the Places in it (on the as_at date, if given).",
    )

    class Meta:
        model = Place
        fields = ["q", "system", "as_at", "active_on"]

    def filter_as_at(self, queryset, name, value):
        # Every Place belongs to a system on every date: as_at says which (``filter_system``).
        return queryset

    def filter_system(self, queryset, name, value):
        if value is None:
            return queryset
        day = self.as_at_day
        if day is None:
            return queryset.filter(system=value)
        return queryset.with_system_on(day).filter(system_on=value.pk)


class PriorityFilterSet(SearchFilterSet):
    search_fields = ("title", "description")
    system = SlugFilter(label="System", queryset=System.objects.all(), noun="system")
    place = SlugFilter(label="Place", queryset=Place.objects.all(), noun="Place")
    status = filters.ChoiceFilter(choices=PriorityStatus.choices, label="Status")

    class Meta:
        model = Priority
        fields = ["q", "system", "place", "status"]


class DocumentFilterSet(SearchFilterSet):
    search_fields = ("title", "short_title", "file_name", "description")
    system = SlugFilter(label="System", queryset=System.objects.all(), noun="system")

    class Meta:
        model = Document
        fields = ["q", "system"]


class OutcomeFilterSet(SearchFilterSet):
    search_fields = ("title", "statement")
    system = SlugFilter(label="System", queryset=System.objects.all(), noun="system")

    class Meta:
        model = Outcome
        fields = ["q", "system"]


class FactFilterSet(SearchFilterSet):
    search_fields = ("label", "text", "as_written", "topic", "unit", "note")
    system = SlugFilter(queryset=System.objects.all(), noun="system")
    place = SlugFilter(queryset=Place.objects.all(), noun="Place")
    kind = filters.ChoiceFilter(choices=FactKind.choices)
    topic = filters.CharFilter(
        field_name="topic", lookup_expr="iexact", help_text="The topic, in any case."
    )
    document = KeyFilter(
        field_name="source_document", queryset=Document.objects.all(), noun="cited document"
    )
    # date_after, date_before: dated events whose period begins within the range.
    date = filters.DateFromToRangeFilter(
        help_text="Dated events whose date (the first day of the period the words name) is on "
        "or after date_after and on or before date_before (YYYY-MM-DD)."
    )

    class Meta:
        model = Fact
        fields = ["q", "system", "place", "kind", "topic", "document", "date"]


class DataQualityFlagFilterSet(SearchFilterSet):
    search_fields = ("issue", "handling")
    system = SlugFilter(queryset=System.objects.all(), noun="system")
    document = KeyFilter(
        field_name="source_document", queryset=Document.objects.all(), noun="cited document"
    )

    class Meta:
        model = DataQualityFlag
        fields = ["q", "system", "document"]


class PlaceInSystemFilterSet(AsAtFilterSet, SearchFilterSet):
    search_fields = ("reason", "place__name", "system__name")
    place = SlugFilter(label="Place", queryset=Place.objects.all(), noun="Place")
    system = SlugFilter(label="System", queryset=System.objects.all(), noun="system")

    class Meta:
        model = PlaceInSystem
        fields = ["q", "place", "system", "as_at", "active_on"]


class ClusterFilterSet(AsAtFilterSet, SearchFilterSet):
    search_fields = ("name", "note", "reason")
    system = SlugFilter(
        label="System",
        field_name="memberships__system",
        queryset=System.objects.all(),
        noun="system",
    )

    class Meta:
        model = Cluster
        fields = ["q", "system", "as_at", "active_on"]
