"""One FilterSet per listable model of this app; the API and the HTML lists share them."""

import django_filters as filters

from icsportal.filtersets import (
    KeyFilter,
    ModifiedSinceFilterSet,
    OrganisationFilter,
    SearchFilterSet,
    SlugFilter,
)
from places.models import Place, System

from .choices import (
    BoardLevel,
    BoardStatus,
    OrganisationKind,
    Role,
)
from .models import Board, Membership, Organisation, Person


class OrganisationFilterSet(SearchFilterSet):
    search_fields = ("name", "abbreviation", "subtype")
    kind = filters.ChoiceFilter(label="Kind of organisation", choices=OrganisationKind.choices)
    place = SlugFilter(
        label="Place", field_name="places", queryset=Place.objects.all(), noun="Place"
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "place"]


class BoardFilterSet(SearchFilterSet):
    search_fields = ("name", "abbreviation", "purpose")
    system = SlugFilter(label="System", queryset=System.objects.all(), noun="system")
    level = filters.ChoiceFilter(label="Level", choices=BoardLevel.choices)
    status = filters.ChoiceFilter(choices=BoardStatus.choices, label="Status")
    place = SlugFilter(label="Place", queryset=Place.objects.all(), noun="Place")
    reports_to = SlugFilter(
        label="Reports to", queryset=Board.objects.all(), noun="board reported to"
    )

    class Meta:
        model = Board
        fields = ["q", "system", "level", "status", "place", "reports_to"]


class PersonFilterSet(SearchFilterSet):
    search_fields = ("name",)

    class Meta:
        model = Person
        fields = ["q"]


class MembershipFilterSet(ModifiedSinceFilterSet):
    search_fields = ("person__name", "on_behalf_of__name", "board__name", "label")
    board = SlugFilter(label="Board", queryset=Board.objects.all(), noun="board")
    person = KeyFilter(label="Person", queryset=Person.objects.all(), noun="person")
    organisation = OrganisationFilter(
        label="Organisation represented",
        field_name="on_behalf_of",
        queryset=Organisation.objects.all(),
        noun="organisation",
    )
    role = filters.ChoiceFilter(choices=Role.choices, label="Role")
    active_on = filters.DateFilter(method="filter_active_on", label="In force on (YYYY-MM-DD)")
    ending_before = filters.DateFilter(
        field_name="end_date", lookup_expr="lt", label="Ending before (YYYY-MM-DD)"
    )

    class Meta:
        model = Membership
        fields = ["q", "board", "person", "organisation", "role", "active_on", "ending_before"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)
