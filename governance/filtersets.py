"""One FilterSet per listable model of this app; the API and the HTML lists share them."""

import django_filters as filters
from django.db.models import Q
from django.utils import timezone

from icsportal.filtersets import ModifiedSinceFilterSet, SearchFilterSet
from places.models import Place

from .choices import (
    BoardLevel,
    BoardStatus,
    CommitmentStatus,
    OrganisationKind,
    RiskRating,
    RiskStatus,
    Role,
)
from .models import Board, Commitment, Membership, Organisation, Person, Risk


class OrganisationFilterSet(SearchFilterSet):
    search_fields = ("name", "abbreviation", "subtype")
    kind = filters.ChoiceFilter(choices=OrganisationKind.choices)
    place = filters.ModelChoiceFilter(
        field_name="places", queryset=Place.objects.all(), to_field_name="slug"
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "place"]


class BoardFilterSet(SearchFilterSet):
    search_fields = ("name", "abbreviation", "purpose")
    level = filters.ChoiceFilter(choices=BoardLevel.choices)
    status = filters.ChoiceFilter(choices=BoardStatus.choices)
    place = filters.ModelChoiceFilter(queryset=Place.objects.all(), to_field_name="slug")
    reports_to = filters.ModelChoiceFilter(
        field_name="reports_to", queryset=Board.objects.all(), to_field_name="slug"
    )

    class Meta:
        model = Board
        fields = ["q", "level", "status", "place", "reports_to"]


class PersonFilterSet(SearchFilterSet):
    search_fields = ("name",)

    class Meta:
        model = Person
        fields = ["q"]


class MembershipFilterSet(ModifiedSinceFilterSet):
    search_fields = ("person__name", "on_behalf_of__name", "board__name", "label")
    board = filters.ModelChoiceFilter(queryset=Board.objects.all(), to_field_name="slug")
    person = filters.ModelChoiceFilter(queryset=Person.objects.all(), to_field_name="key")
    organisation = filters.ModelChoiceFilter(
        field_name="on_behalf_of", queryset=Organisation.objects.all(), to_field_name="key"
    )
    role = filters.ChoiceFilter(choices=Role.choices)
    active_on = filters.DateFilter(method="filter_active_on", label="In force on (YYYY-MM-DD)")
    ending_before = filters.DateFilter(
        field_name="end_date", lookup_expr="lt", label="Ending before (YYYY-MM-DD)"
    )

    class Meta:
        model = Membership
        fields = ["q", "board", "person", "organisation", "role", "active_on", "ending_before"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


def _programme_choices():
    from .models import Commitment

    slugs = Commitment.objects.order_by("programme_slug").values_list("programme_slug", "programme")
    return list(dict(slugs).items())


class RiskFilterSet(SearchFilterSet):
    """The risk register's filters: the API's and the register page's."""

    search_fields = ("title", "description", "note")
    board = filters.ModelChoiceFilter(
        field_name="owner_board", queryset=Board.objects.all(), to_field_name="slug", label="Board"
    )
    place = filters.ModelChoiceFilter(queryset=Place.objects.all(), to_field_name="slug")
    rating = filters.ChoiceFilter(
        choices=RiskRating.choices, field_name="rating_value", label="Rating"
    )
    status = filters.ChoiceFilter(choices=RiskStatus.choices)
    escalated = filters.BooleanFilter(method="filter_escalated", label="Escalated now")

    class Meta:
        model = Risk
        fields = ["q", "board", "place", "rating", "status", "escalated"]

    def filter_escalated(self, queryset, name, value):
        open_ = Q(escalations__isnull=False, escalations__de_escalated_at__isnull=True)
        return (queryset.filter(open_) if value else queryset.exclude(open_)).distinct()


class CommitmentFilterSet(ModifiedSinceFilterSet):
    search_fields = ("text", "programme", "note")
    programme = filters.ChoiceFilter(field_name="programme_slug", choices=_programme_choices)
    board = filters.ModelChoiceFilter(
        field_name="owner_board", queryset=Board.objects.all(), to_field_name="slug", label="Board"
    )
    status = filters.ChoiceFilter(choices=CommitmentStatus.choices)
    overdue = filters.BooleanFilter(method="filter_overdue", label="Overdue")

    class Meta:
        model = Commitment
        fields = ["q", "programme", "board", "status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = Q(due_date__lt=timezone.localdate()) & ~Q(
            status__in=[CommitmentStatus.MET, CommitmentStatus.NOT_MET]
        )
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
