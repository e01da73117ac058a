"""One FilterSet per listable model of this app; the API and the HTML lists share them."""

import django_filters as filters
from django.db.models import Q
from django.utils import timezone

from icsportal.filtersets import (
    KeyFilter,
    ModifiedSinceFilterSet,
    OrganisationFilter,
    SearchFilterSet,
    SlugFilter,
)
from icsportal.validity import AsAtFilterSet
from places.models import Place, System

from .choices import (
    ActionStatus,
    AttendanceStatus,
    BoardLevel,
    BoardStatus,
    InterestKind,
    ItemPurpose,
    MeetingStatus,
    OrganisationKind,
    Role,
)
from .models import (
    Action,
    AgendaItem,
    Attendance,
    Board,
    BoardSuccession,
    Declaration,
    Interest,
    Meeting,
    Membership,
    Organisation,
    OrganisationSuccession,
    Person,
)


class OrganisationFilterSet(AsAtFilterSet, SearchFilterSet):
    search_fields = ("name", "abbreviation", "subtype")
    system = SlugFilter(label="System", queryset=System.objects.all(), noun="system")
    kind = filters.ChoiceFilter(label="Kind of organisation", choices=OrganisationKind.choices)
    place = SlugFilter(
        label="Place", field_name="places", queryset=Place.objects.all(), noun="Place"
    )

    class Meta:
        model = Organisation
        fields = ["q", "system", "kind", "place", "as_at", "active_on"]


class BoardFilterSet(AsAtFilterSet, SearchFilterSet):
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
        fields = ["q", "system", "level", "status", "place", "reports_to", "as_at", "active_on"]


class PersonFilterSet(SearchFilterSet):
    search_fields = ("name",)
    system = SlugFilter(label="System", queryset=System.objects.all(), noun="system")

    class Meta:
        model = Person
        fields = ["q", "system"]


class MembershipFilterSet(ModifiedSinceFilterSet):
    search_fields = ("person__name", "on_behalf_of__name", "board__name", "label")
    system = SlugFilter(
        label="System", queryset=System.objects.all(), noun="system", field_name="board__system"
    )
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
        fields = [
            "q",
            "system",
            "board",
            "person",
            "organisation",
            "role",
            "active_on",
            "ending_before",
        ]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


# -- meetings ------------------------------------------------------------------------------------


class MeetingFilterSet(SearchFilterSet):
    search_fields = ("title", "location", "board__name")
    system = SlugFilter(
        label="System", queryset=System.objects.all(), noun="system", field_name="board__system"
    )
    board = SlugFilter(queryset=Board.objects.all(), noun="board")
    # ``from`` and ``to`` are Python keywords: declared as from_/to_ and renamed in get_filters.
    from_ = filters.DateFilter(
        field_name="start", lookup_expr="date__gte", label="Starting on or after (YYYY-MM-DD)"
    )
    to_ = filters.DateFilter(
        field_name="start", lookup_expr="date__lte", label="Starting on or before (YYYY-MM-DD)"
    )
    status = filters.ChoiceFilter(choices=MeetingStatus.choices)

    class Meta:
        model = Meeting
        fields = ["q", "system", "board", "status"]

    @classmethod
    def get_filters(cls):
        found = super().get_filters()
        for name in ("from", "to"):
            if f"{name}_" in found:
                found[name] = found.pop(f"{name}_")
        return found


class AgendaItemFilterSet(SearchFilterSet):
    search_fields = ("title", "presenter")
    meeting = filters.ModelChoiceFilter(queryset=Meeting.objects.all(), help_text="Meeting id.")
    purpose = filters.ChoiceFilter(choices=ItemPurpose.choices)

    class Meta:
        model = AgendaItem
        fields = ["q", "meeting", "purpose"]


class AttendanceFilterSet(SearchFilterSet):
    search_fields = ("membership__person__name", "deputy_name")
    meeting = filters.ModelChoiceFilter(queryset=Meeting.objects.all(), help_text="Meeting id.")
    person = KeyFilter(
        field_name="membership__person", queryset=Person.objects.all(), noun="person"
    )
    status = filters.ChoiceFilter(choices=AttendanceStatus.choices)

    class Meta:
        model = Attendance
        fields = ["q", "meeting", "person", "status"]


class InterestFilterSet(SearchFilterSet):
    search_fields = ("description", "person__name", "organisation__name")
    person = KeyFilter(queryset=Person.objects.all(), noun="person")
    organisation = OrganisationFilter(queryset=Organisation.objects.all(), noun="organisation")
    kind = filters.ChoiceFilter(choices=InterestKind.choices)
    active_on = filters.DateFilter(method="filter_active_on", label="Held on (YYYY-MM-DD)")

    class Meta:
        model = Interest
        fields = ["q", "person", "organisation", "kind", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class DeclarationFilterSet(SearchFilterSet):
    search_fields = ("person__name", "note")
    meeting = filters.ModelChoiceFilter(
        field_name="item__meeting", queryset=Meeting.objects.all(), help_text="Meeting id."
    )
    person = KeyFilter(queryset=Person.objects.all(), noun="person")

    class Meta:
        model = Declaration
        fields = ["q", "meeting", "person"]


class ActionFilterSet(SearchFilterSet):
    search_fields = ("description", "owner")
    system = SlugFilter(
        label="System", queryset=System.objects.all(), noun="system", field_name="board__system"
    )
    board = SlugFilter(queryset=Board.objects.all(), noun="board")
    meeting = filters.ModelChoiceFilter(queryset=Meeting.objects.all(), help_text="Meeting id.")
    status = filters.ChoiceFilter(choices=ActionStatus.choices)
    overdue = filters.BooleanFilter(
        method="filter_overdue", label="Open and past its due date (true) or not (false)"
    )

    class Meta:
        model = Action
        fields = ["q", "system", "board", "meeting", "status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status=ActionStatus.OPEN, due_date__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


# -- lineage -------------------------------------------------------------------------------------


class SuccessionFilterSet(SearchFilterSet):
    """A succession's filter names a body on either side of it (``method="filter_either"``)."""

    search_fields = ("reason", "note", "predecessor__name", "successor__name")

    def filter_either(self, queryset, name, value):
        return queryset.filter(Q(predecessor=value) | Q(successor=value)) if value else queryset


class BoardSuccessionFilterSet(SuccessionFilterSet):
    # field_name: the schema reads the type from it; the method matches either side.
    board = SlugFilter(
        label="Board",
        field_name="predecessor",
        queryset=Board.objects.all(),
        noun="board (as predecessor or successor)",
        method="filter_either",
    )

    class Meta:
        model = BoardSuccession
        fields = ["q", "board"]


class OrganisationSuccessionFilterSet(SuccessionFilterSet):
    organisation = OrganisationFilter(
        label="Organisation",
        field_name="predecessor",
        queryset=Organisation.objects.all(),
        noun="organisation (as predecessor or successor)",
        method="filter_either",
    )

    class Meta:
        model = OrganisationSuccession
        fields = ["q", "organisation"]
