"""One FilterSet per listable model of this app; the API and the HTML lists share them."""

from typing import NamedTuple

import django_filters as filters
from django import forms
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Subquery

from governance.models import Board, Organisation
from icsportal.filtersets import (
    ModifiedSinceFilterSet,
    PeriodFilter,
    SearchFilterSet,
    SlugFilter,
    UTCIsoDateTimeFilter,
)
from places.models import Place, System
from places.selectors import outcome_titles

from .choices import AnnotationKind, Category, Provenance, SubjectType
from .imports.periods import period_parse
from .models import (
    Annotation,
    HICMAssessment,
    Metric,
    Observation,
    Series,
    SystemMetric,
    Target,
)


def outcome_choices() -> list[tuple[str, str]]:
    """The outcome codes that systems' outcomes use, each with its title."""
    return list(outcome_titles().items())


class MetricFilterSet(ModifiedSinceFilterSet):
    search_fields = ("code", "name", "short_name", "definition")
    system = SlugFilter(
        label="System",
        queryset=System.objects.all(),
        noun="system",
        field_name="uses__system",
        distinct=True,
    )
    category = filters.ChoiceFilter(choices=Category.choices, label="Category")
    # Outcomes are data (``places.Outcome``): the codes any system's outcomes use.
    outcome = filters.ChoiceFilter(label="Outcome", choices=outcome_choices)
    owner_board = SlugFilter(label="Owner board", queryset=Board.objects.all(), noun="owner board")
    synthetic = filters.BooleanFilter(label="Synthetic (illustrative)", field_name="is_synthetic")

    class Meta:
        model = Metric
        fields = ["q", "system", "category", "outcome", "owner_board", "synthetic"]


class SystemMetricFilterSet(SearchFilterSet):
    """Which system uses which metric, with its own owner board there."""

    search_fields = ("metric__code", "metric__name", "metric__short_name")
    system = SlugFilter(label="System", queryset=System.objects.all(), noun="system")
    metric = SlugFilter(
        label="Metric",
        queryset=Metric.objects.all(),
        noun="metric",
        lookup_fields=("code",),
        help_text="The metric's code or id.",
    )
    owner_board = SlugFilter(label="Owner board", queryset=Board.objects.all(), noun="owner board")
    category = filters.ChoiceFilter(
        choices=Category.choices, label="Category", field_name="metric__category"
    )

    class Meta:
        model = SystemMetric
        fields = ["q", "system", "metric", "owner_board", "category"]


class SeriesForm(forms.Form):
    """Checks that ``metric`` is a metric's code and ``subject`` names something of
    ``subject_type`` (or of any type), both in one query; ``metric_id`` is the metric's key
    and ``series_id`` the key of the one series they name together (None if not just one)."""

    metric_id: int | None = None
    series_id: int | None = None

    def clean(self):
        data = super().clean()
        code, subject, kind = data.get("metric"), data.get("subject"), data.get("subject_type")
        if not code and not subject:
            return data
        resolved = resolve_series_filters(code, subject, kind)
        # The values go in as params, never into the message's text: a "%" in them must not
        # be read as a placeholder by whatever formats the message.
        if code and resolved.metric_id is None:
            self.add_error(
                "metric",
                forms.ValidationError("No metric has the code %(code)r.", params={"code": code}),
            )
        if subject and not resolved.subject_found:
            self.add_error(
                "subject",
                forms.ValidationError(
                    "No %(kind)s is called %(subject)r.",
                    params={"kind": kind or "subject", "subject": subject},
                ),
            )
        self.metric_id, self.series_id = resolved.metric_id, resolved.series_id
        return data


def subject_condition(subject: str, kind: str | None, prefix: str = "series__") -> Q:
    """Series whose subject is ``subject``: a system or Place slug, or an organisation's key,
    abbreviation or national code."""
    by_kind = {
        SubjectType.SYSTEM: Q(**{f"{prefix}system__slug": subject}),
        SubjectType.PLACE: Q(**{f"{prefix}place__slug": subject}),
        SubjectType.ORGANISATION: Q(**{f"{prefix}organisation__abbreviation": subject})
        | Q(**{f"{prefix}organisation__key": subject})
        | Q(**{f"{prefix}organisation__national_code": subject}),
    }
    if kind:
        return by_kind[kind]
    return (
        by_kind[SubjectType.SYSTEM] | by_kind[SubjectType.PLACE] | by_kind[SubjectType.ORGANISATION]
    )


def _subject_querysets(subject: str, kind: str | None) -> list:
    named = {
        SubjectType.SYSTEM: System.objects.filter(slug=subject),
        SubjectType.PLACE: Place.objects.filter(slug=subject),
        SubjectType.ORGANISATION: Organisation.objects.filter(
            Q(abbreviation=subject) | Q(key=subject) | Q(national_code=subject)
        ),
    }
    return [queryset for k, queryset in named.items() if kind in (None, "", k)]


def subject_exists(subject: str, kind: str | None) -> bool:
    return any(queryset.exists() for queryset in _subject_querysets(subject, kind))


class Resolved(NamedTuple):
    """What a list's ``metric``, ``subject`` and ``subject_type`` filters name."""

    metric_id: int | None
    subject_found: bool
    # The one series of that metric and subject; None when there is none or more than one
    # (a slug that is a system's and a Place's, with no subject_type).
    series_id: int | None = None


def _metric_key(code: str):
    return Metric.objects.filter(code=code).order_by().values_list("pk")[:1]


def _metric_key_subject_and_series(code: str, subject: str, kind: str | None):
    found = Q()
    for queryset in _subject_querysets(subject, kind):
        found |= Exists(queryset)
    series = Series.objects.filter(
        subject_condition(subject, kind, prefix=""), metric=OuterRef("pk")
    )
    if kind:
        series = series.filter(subject_type=kind)
    series = series.order_by("pk").values("pk")
    return (
        Metric.objects.filter(code=code)
        .order_by()
        .annotate(
            subject_found=ExpressionWrapper(found, BooleanField()),
            first_series=Subquery(series[:1]),
            second_series=Subquery(series[1:2]),
        )
        .values_list("pk", "subject_found", "first_series", "second_series")[:1]
    )


def resolve_series_filters(code: str | None, subject: str | None, kind: str | None) -> Resolved:
    """The key of the metric ``code`` (None when there is none), whether ``subject`` exists,
    and the one series they name, in one query; a list filtered by both runs this, then its
    page (filtered by that series' key alone)."""
    if not code:
        return Resolved(None, subject_exists(subject, kind))
    if not subject:
        keys = list(_metric_key(code))
        return Resolved(keys[0][0] if keys else None, False)
    rows = list(_metric_key_subject_and_series(code, subject, kind or None))
    if not rows:
        # The metric is unknown: the subject is looked up alone, for the second message.
        return Resolved(None, subject_exists(subject, kind))
    metric_id, found, first, second = rows[0]
    return Resolved(metric_id, bool(found), first if second is None else None)


METRIC_HELP = "The metric's code (bcf-dtoc)."
SUBJECT_HELP = (
    "The subject: a system's or Place's slug (rugby), or an organisation's key (org_wcc), "
    "abbreviation (WCC) or national code (RKB); subject_type narrows it."
)


class SeriesFilterSet(ModifiedSinceFilterSet):
    """Filters for rows that belong to a series: targets and observations."""

    # A metric's code; the form resolves it to the metric's key with the subject's check.
    metric = filters.CharFilter(method="filter_metric", label="Metric code", help_text=METRIC_HELP)
    subject_type = filters.ChoiceFilter(
        field_name="series__subject_type", choices=SubjectType.choices
    )
    subject = filters.CharFilter(method="filter_subject", help_text=SUBJECT_HELP)
    period_after = PeriodFilter(bound="after", parse=period_parse)
    period_before = PeriodFilter(bound="before", parse=period_parse)

    # Filters of the row's series, applied together in one condition (below).
    series_filters = ("metric", "subject_type", "subject")

    class Meta:
        form = SeriesForm

    def series_condition(self) -> Q:
        """The condition on the row's series that ``metric``, ``subject_type`` and
        ``subject`` make together."""
        data = self.form.cleaned_data
        if data.get("metric") and data.get("subject") and self.form.series_id is not None:
            # The one series they name: a condition on the row's own column, no joins.
            return Q(series_id=self.form.series_id)
        condition = Q()
        if data.get("metric"):
            condition &= Q(series__metric_id=self.form.metric_id)
        if data.get("subject_type"):
            condition &= Q(series__subject_type=data["subject_type"])
        if data.get("subject"):
            condition &= subject_condition(data["subject"], data.get("subject_type"))
        return condition

    def filter_queryset(self, queryset):
        # One filter() for the three series filters: each filter() copies the query and
        # resolves its joins again, and a list filtered to one series runs this on every page.
        condition = self.series_condition()
        if condition:
            queryset = queryset.filter(condition)
        for name, value in self.form.cleaned_data.items():
            if name not in self.series_filters:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_metric(self, queryset, name, value):
        return queryset.filter(series__metric_id=self.form.metric_id)

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
    system = SlugFilter(
        label="System", queryset=System.objects.all(), noun="system", field_name="change__system"
    )
    number = filters.NumberFilter(field_name="change__number")
    kind = filters.ChoiceFilter(choices=[("current", "Current"), ("planned", "Planned")])

    class Meta:
        model = HICMAssessment
        fields = ["q", "system", "number", "kind"]


class AnnotationFilterSet(SeriesFilterSet):
    search_fields = ("label", "text")
    # Bounded as the databases' keys are: a larger number is a 400, never an overflow.
    series = filters.NumberFilter(
        field_name="series_id", label="Series id", min_value=1, max_value=2**63 - 1
    )
    kind = filters.ChoiceFilter(choices=AnnotationKind.choices)
    # The same period forms as uploads and observations take.
    period_after = PeriodFilter(bound="after", parse=period_parse, field_name="period")
    period_before = PeriodFilter(bound="before", parse=period_parse, field_name="period")
    # Annotations are never changed: new since then.
    modified_since = UTCIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta(SeriesFilterSet.Meta):
        model = Annotation
        fields = [
            "q",
            "series",
            "metric",
            "subject_type",
            "subject",
            "kind",
            "period_after",
            "period_before",
        ]


class SeriesListFilterSet(SearchFilterSet):
    """The series themselves, to find what exists: by metric, subject, subject type, system
    and whether they are illustrative."""

    search_fields = ("metric__code", "metric__name", "metric__short_name")
    metric = filters.CharFilter(method="filter_series", label="Metric code", help_text=METRIC_HELP)
    subject_type = filters.ChoiceFilter(choices=SubjectType.choices)
    subject = filters.CharFilter(method="filter_series", help_text=SUBJECT_HELP)
    system = SlugFilter(method="filter_system", queryset=System.objects.all(), noun="system")
    synthetic = filters.BooleanFilter(
        field_name="synthetic", help_text="Illustrative series: a synthetic metric or points."
    )

    class Meta:
        model = Series
        form = SeriesForm
        fields = ["q", "metric", "subject_type", "subject", "system", "synthetic"]

    def filter_series(self, queryset, name, value):
        if name == "metric":
            return queryset.filter(metric_id=self.form.metric_id)
        return queryset.filter(
            subject_condition(value, self.form.cleaned_data.get("subject_type"), prefix="")
        )

    def filter_system(self, queryset, name, value):
        return queryset.filter(
            Q(system=value) | Q(place__system=value) | Q(organisation__system=value)
        )
