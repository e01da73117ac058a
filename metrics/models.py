from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from governance.models import Board, Organisation
from places.models import Place, Sourced, System, sourced_constraint

from .choices import (
    AssessmentKind,
    Category,
    Frequency,
    Maturity,
    Outcome,
    Polarity,
    Provenance,
    StatementKind,
    SubjectType,
)


class Metric(Sourced):
    """A measure the system tracks, with its definition, polarity and owning board."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=400)
    short_name = models.CharField(max_length=120)
    abbreviation = models.CharField(max_length=20, blank=True)
    definition = models.TextField(blank=True)
    unit = models.CharField(max_length=120)
    unit_note = models.TextField(blank=True)
    polarity = models.CharField(max_length=20, choices=Polarity.choices)
    polarity_basis = models.TextField(blank=True)
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    owner_board = models.ForeignKey(
        Board, null=True, blank=True, on_delete=models.SET_NULL, related_name="metrics"
    )
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    # RAG amber band: a miss by no more than this fraction of the target.
    tolerance = models.FloatField(default=0.05)
    decimal_places = models.PositiveSmallIntegerField(default=1)
    # Lowest and highest plausible values; uploads outside them are refused.
    minimum = models.FloatField(null=True, blank=True)
    maximum = models.FloatField(null=True, blank=True)
    is_synthetic = models.BooleanField(default=False)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tolerance__gte=0),
                name="metric_tolerance_not_negative",
                violation_error_message="Tolerance cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True)
                | Q(maximum__isnull=True)
                | Q(maximum__gte=F("minimum")),
                name="metric_range_ordered",
                violation_error_message="The maximum must not be below the minimum.",
            ),
            sourced_constraint("metric_source_line_has_document"),
        ]

    def __str__(self):
        return self.short_name

    def get_absolute_url(self):
        return reverse("metrics:metric_detail", kwargs={"code": self.code})


class Series(models.Model):
    """A metric measured for one subject: the system, a Place or an organisation."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="series")
    subject_type = models.CharField(max_length=20, choices=SubjectType.choices)
    system = models.ForeignKey(
        System, null=True, blank=True, on_delete=models.CASCADE, related_name="series"
    )
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.CASCADE, related_name="series"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="series"
    )
    # Indexes where the process changed and SPC limits start afresh.
    rebase_periods = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["metric", "subject_type", "id"]
        verbose_name_plural = "series"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        subject_type=SubjectType.SYSTEM,
                        system__isnull=False,
                        place__isnull=True,
                        organisation__isnull=True,
                    )
                    | Q(
                        subject_type=SubjectType.PLACE,
                        system__isnull=True,
                        place__isnull=False,
                        organisation__isnull=True,
                    )
                    | Q(
                        subject_type=SubjectType.ORGANISATION,
                        system__isnull=True,
                        place__isnull=True,
                        organisation__isnull=False,
                    )
                ),
                name="series_exactly_one_subject",
                violation_error_message="A series has exactly one subject of its subject type.",
            ),
            models.UniqueConstraint(
                fields=["metric", "system"],
                condition=Q(system__isnull=False),
                name="series_unique_system",
            ),
            models.UniqueConstraint(
                fields=["metric", "place"],
                condition=Q(place__isnull=False),
                name="series_unique_place",
            ),
            models.UniqueConstraint(
                fields=["metric", "organisation"],
                condition=Q(organisation__isnull=False),
                name="series_unique_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.metric.code} — {self.subject}"

    @property
    def subject(self):
        return self.system or self.place or self.organisation

    @property
    def subject_slug(self) -> str:
        """The subject as uploads name it: a slug, or an organisation's abbreviation or key."""
        if self.organisation_id:
            return self.organisation.abbreviation or self.organisation.key
        return self.subject.slug


class Target(Sourced):
    """The value a series should reach in a period; BCF targets change each year."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="targets")
    period_start = models.DateField()
    period_end = models.DateField()
    period_label = models.CharField(max_length=20)
    # Empty when a document states the target only relative to another figure.
    value = models.FloatField(null=True, blank=True)
    as_written = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["series", "period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="target_period_ends_after_start",
                violation_error_message="A target period cannot end before it starts.",
            ),
            models.UniqueConstraint(
                fields=["series", "period_start"],
                name="target_unique_series_period",
                violation_error_message="This series already has a target for this period.",
            ),
            sourced_constraint("target_source_line_has_document"),
        ]

    def __str__(self):
        return f"{self.series}: {self.period_label} = {self.value}"


class ImportBatch(models.Model):
    """One upload of observations, by whom and when, with what it changed."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
    )
    file_name = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"Import {self.pk} ({self.file_name or 'upload'})"


class Observation(Sourced):
    """A value of a series for a period, with where it came from."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="observations")
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.FloatField()
    provenance = models.CharField(max_length=20, choices=Provenance.choices)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="observations"
    )
    as_written = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["series", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "period_start"],
                name="observation_unique_series_period",
                violation_error_message="This series already has a value for this period.",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="observation_period_ends_after_start",
                violation_error_message="An observation period cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=~Q(provenance=Provenance.DOCUMENT) | Q(source_document__isnull=False),
                name="observation_documented_has_source",
                violation_error_message="A documented observation needs its source document.",
            ),
            sourced_constraint("observation_source_line_has_document"),
        ]

    def __str__(self):
        return f"{self.series}: {self.period_start:%Y-%m} = {self.value}"


class MetricStatement(Sourced):
    """A cited statement about a metric that is not a value: 'grew by 6.6%', 'on track'."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="statements")
    kind = models.CharField(max_length=20, choices=StatementKind.choices)
    area = models.CharField(max_length=120, blank=True)
    period_label = models.CharField(max_length=60, blank=True)
    text = models.TextField()
    value = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=60, blank=True)
    note = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["metric", "kind", "order"]
        constraints = [sourced_constraint("metric_statement_source_line_has_document")]

    def __str__(self):
        return f"{self.metric}: {self.text[:60]}"


class HighImpactChange(Sourced):
    """One of the eight changes of the High Impact Change Model for managing transfers of care."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="hicm_changes")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    area = models.CharField(max_length=120, blank=True)
    plan_text = models.TextField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["system", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "number"],
                name="hicm_unique_number",
                violation_error_message="This change number already exists for the system.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=8),
                name="hicm_number_1_to_8",
                violation_error_message="The model has changes 1 to 8.",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"


class HICMAssessment(Sourced):
    """The maturity of a High Impact Change, current or planned, as at a date."""

    change = models.ForeignKey(
        HighImpactChange, on_delete=models.CASCADE, related_name="assessments"
    )
    kind = models.CharField(max_length=10, choices=AssessmentKind.choices)
    as_at = models.DateField(null=True, blank=True)
    as_at_label = models.CharField(max_length=60)
    maturity = models.CharField(max_length=30, choices=Maturity.choices)

    class Meta:
        ordering = ["change", "kind", "as_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "kind", "as_at_label"],
                name="hicm_assessment_unique",
                violation_error_message="This change already has that assessment.",
            ),
        ]

    def __str__(self):
        return f"{self.change}: {self.get_maturity_display()} ({self.as_at_label})"
