"""One FilterSet per listable model of this app; the API and the HTML lists share them."""

import django_filters as filters
from django.db.models import Q
from django.utils import timezone

from governance.models import Board
from icsportal.filtersets import ModifiedSinceFilterSet, SearchFilterSet, SlugFilter
from places.models import Place, System

from .choices import CommitmentStatus, FinanceKind, RiskRating, RiskStatus
from .models import Commitment, FinanceFigure, FinancePrinciple, Risk


def _programme_choices():
    slugs = Commitment.objects.order_by("programme_slug").values_list("programme_slug", "programme")
    return list(dict(slugs).items())


class RiskFilterSet(SearchFilterSet):
    system = SlugFilter(label="System", queryset=System.objects.all(), noun="system")
    """The risk register's filters: the API's and the register page's."""

    search_fields = ("title", "description", "note")
    board = SlugFilter(
        field_name="owner_board", queryset=Board.objects.all(), noun="board", label="Board"
    )
    place = SlugFilter(label="Place", queryset=Place.objects.all(), noun="Place")
    rating = filters.ChoiceFilter(
        choices=RiskRating.choices, field_name="rating_value", label="Rating"
    )
    status = filters.ChoiceFilter(choices=RiskStatus.choices, label="Status")
    escalated = filters.BooleanFilter(method="filter_escalated", label="Escalated now")

    class Meta:
        model = Risk
        fields = ["q", "system", "board", "place", "rating", "status", "escalated"]

    def filter_escalated(self, queryset, name, value):
        open_ = Q(escalations__isnull=False, escalations__de_escalated_at__isnull=True)
        return (queryset.filter(open_) if value else queryset.exclude(open_)).distinct()


class CommitmentFilterSet(ModifiedSinceFilterSet):
    search_fields = ("text", "programme", "note")
    system = SlugFilter(label="System", queryset=System.objects.all(), noun="system")
    programme = filters.ChoiceFilter(
        label="Programme", field_name="programme_slug", choices=_programme_choices
    )
    board = SlugFilter(
        field_name="owner_board", queryset=Board.objects.all(), noun="board", label="Board"
    )
    status = filters.ChoiceFilter(choices=CommitmentStatus.choices, label="Status")
    overdue = filters.BooleanFilter(method="filter_overdue", label="Overdue")

    class Meta:
        model = Commitment
        fields = ["q", "system", "programme", "board", "status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = Q(due_date__lt=timezone.localdate()) & ~Q(
            status__in=[CommitmentStatus.MET, CommitmentStatus.NOT_MET]
        )
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class FinanceFigureFilterSet(SearchFilterSet):
    search_fields = ("label", "area", "basis", "note")
    system = SlugFilter(label="System", queryset=System.objects.all(), noun="system")
    kind = filters.ChoiceFilter(label="Kind of figure", choices=FinanceKind.choices)
    place = SlugFilter(
        label="Place", method="filter_place", queryset=Place.objects.all(), noun="Place"
    )

    class Meta:
        model = FinanceFigure
        fields = ["q", "system", "kind", "place"]

    def filter_place(self, queryset, name, value):
        """The Place's own figures and those of the CCG footprints serving it."""
        return queryset.filter(Q(place=value) | Q(organisation__places=value)).distinct()


class FinancePrincipleFilterSet(SearchFilterSet):
    search_fields = ("text",)
    system = SlugFilter(label="System", queryset=System.objects.all(), noun="system")

    class Meta:
        model = FinancePrinciple
        fields = ["q", "system"]
