"""One FilterSet per listable model of this app; the API and the HTML lists share them."""

import django_filters as filters
from django import forms
from django.db.models import Q

from governance.models import Board, Organisation
from places.filtersets import ModifiedSinceFilterSet, SearchFilterSet
from places.models import Place, System

from .choices import Category, Outcome, Provenance, SubjectType
from .models import HICMAssessment, Metric, Observation, Target


class MetricFilterSet(ModifiedSinceFilterSet):
    search_fields = ("code", "name", "short_name", "definition")
    category = filters.ChoiceFilter(choices=Category.choices)
    outcome = filters.ChoiceFilter(choices=Outcome.choices)
    owner_board = filters.ModelChoiceFilter(queryset=Board.objects.all(), to_field_name="slug")
    synthetic = filters.BooleanFilter(field_name="is_synthetic")

    class Meta:
        model = Metric
        fields = ["q", "category", "outcome", "owner_board", "synthetic"]


class SeriesForm(forms.Form):
    """Checks that ``subject`` names something of ``subject_type`` (or of any type)."""

    def clean(self):
        data = super().clean()
        subject, kind = data.get("subject"), data.get("subject_type")
        if subject and not subject_exists(subject, kind):
            self.add_error("subject", f"No {kind or 'subject'} is called {subject!r}.")
        return data


def subject_condition(subject: str, kind: str | None, prefix: str = "series__") -> Q:
    """Series whose subject is ``subject``: a system or Place slug, or an organisation's
    abbreviation or key."""
    by_kind = {
        SubjectType.SYSTEM: Q(**{f"{prefix}system__slug": subject}),
        SubjectType.PLACE: Q(**{f"{prefix}place__slug": subject}),
        SubjectType.ORGANISATION: Q(**{f"{prefix}organisation__abbreviation": subject})
        | Q(**{f"{prefix}organisation__key": subject}),
    }
    if kind:
        return by_kind[kind]
    return (
        by_kind[SubjectType.SYSTEM] | by_kind[SubjectType.PLACE] | by_kind[SubjectType.ORGANISATION]
    )


def subject_exists(subject: str, kind: str | None) -> bool:
    checks = {
        SubjectType.SYSTEM: lambda: System.objects.filter(slug=subject).exists(),
        SubjectType.PLACE: lambda: Place.objects.filter(slug=subject).exists(),
        SubjectType.ORGANISATION: lambda: Organisation.objects.filter(
            Q(abbreviation=subject) | Q(key=subject)
        ).exists(),
    }
    return any(check() for k, check in checks.items() if kind in (None, "", k))


class SeriesFilterSet(ModifiedSinceFilterSet):
    """Filters for rows that belong to a series: targets and observations."""

    # Only the key is needed to filter by the metric: not its definitions and notes.
    metric = filters.ModelChoiceFilter(
        field_name="series__metric",
        queryset=Metric.objects.only("pk", "code"),
        to_field_name="code",
    )
    subject_type = filters.ChoiceFilter(
        field_name="series__subject_type", choices=SubjectType.choices
    )
    subject = filters.CharFilter(method="filter_subject")
    period_after = filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_before = filters.DateFilter(field_name="period_start", lookup_expr="lte")

    class Meta:
        form = SeriesForm

    def filter_subject(self, queryset, name, value):
        return queryset.filter(subject_condition(value, self.form.cleaned_data.get("subject_type")))


class TargetFilterSet(SeriesFilterSet):
    search_fields = ("period_label", "as_written", "note")

    class Meta(SeriesFilterSet.Meta):
        model = Target
        fields = ["q", "metric", "subject_type", "subject", "period_after", "period_before"]


class ObservationFilterSet(SeriesFilterSet):
    search_fields = ("note", "as_written")
    provenance = filters.ChoiceFilter(choices=Provenance.choices)

    class Meta(SeriesFilterSet.Meta):
        model = Observation
        fields = [
            "q",
            "metric",
            "subject_type",
            "subject",
            "period_after",
            "period_before",
            "provenance",
        ]


class HICMAssessmentFilterSet(SearchFilterSet):
    search_fields = ("change__name",)
    number = filters.NumberFilter(field_name="change__number")
    kind = filters.ChoiceFilter(choices=[("current", "Current"), ("planned", "Planned")])

    class Meta:
        model = HICMAssessment
        fields = ["q", "number", "kind"]
