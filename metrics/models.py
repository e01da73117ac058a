from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from governance.models import Board, Organisation, OrganisationSuccession
from places.models import Document, Place, Sourced, System, sourced_constraint

from .choices import (
    KIND_CHARTS,
    RAG,
    AnnotationKind,
    AssessmentKind,
    Category,
    Chart,
    DataKind,
    Frequency,
    Maturity,
    Polarity,
    Provenance,
    RuleProfile,
    SeriesProvenance,
    SnapshotStatus,
    StatementKind,
    SubjectType,
)
from .reserved import validate_metric_code


def _chart_fits_kind() -> Q:
    condition = Q()
    for kind, charts in KIND_CHARTS.items():
        condition |= Q(data_kind=kind, chart__in=list(charts))
    return condition


class Metric(Sourced):
    """A measure with its definition and polarity: defined nationally (the Better Care Fund
    metrics, workforce measures: one code for every system, ``system`` empty) or by one system
    (a local metric, ``system`` set). Each system that uses a metric keeps its own owner board
    and citation in a ``SystemMetric``; ``owner_board`` and the citation here are those of the
    system that first loaded it."""

    # The systems a metric belongs to (``icsportal.roles.visible_rows``): a local metric's
    # own, every system that uses it (a national metric belongs to no one system), and those
    # of its series' subjects (an illustrative metric is used by no system's documents).
    system_lookups = (
        "system_id",
        "uses__system_id",
        "series__system_id",
        "series__place__system_id",
        "series__organisation__system_id",
    )

    # One namespace across the portal, as a metric's page is /metrics/<code>/: a local metric
    # may not take a code another system's metric (or a national one) has, nor the path of
    # one of the portal's own pages there (``metrics.reserved``).
    code = models.SlugField(max_length=60, unique=True, validators=[validate_metric_code])
    system = models.ForeignKey(
        System, null=True, blank=True, on_delete=models.CASCADE, related_name="local_metrics"
    )
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
    # The code of the system outcome it serves (``places.Outcome.code``); outcomes are data.
    outcome = models.CharField(max_length=30, blank=True)
    # RAG amber band: a miss by no more than this fraction of the target.
    tolerance = models.FloatField(default=0.05)
    decimal_places = models.PositiveSmallIntegerField(default=1)
    # Lowest and highest plausible values; uploads outside them are refused.
    minimum = models.FloatField(null=True, blank=True)
    maximum = models.FloatField(null=True, blank=True)
    is_synthetic = models.BooleanField(default=False)
    # What kind of data it is decides the SPC chart it may have (choices.KIND_CHARTS).
    data_kind = models.CharField(
        max_length=20, choices=DataKind.choices, default=DataKind.CONTINUOUS
    )
    chart = models.CharField(max_length=4, choices=Chart.choices, default=Chart.I)
    rules = models.CharField(
        max_length=20, choices=RuleProfile.choices, default=RuleProfile.NHSRPLOTTHEDOTS
    )
    # Proportions and rates: value = numerator / denominator x multiplier (100 for a percentage).
    multiplier = models.FloatField(default=1)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "code"]
        constraints = [
            models.CheckConstraint(
                condition=_chart_fits_kind(),
                name="metric_chart_fits_data_kind",
                violation_error_message="This chart does not suit this kind of data.",
            ),
            models.CheckConstraint(
                condition=Q(multiplier__gt=0),
                name="metric_multiplier_positive",
                violation_error_message="The multiplier must be above 0.",
            ),
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


class SystemMetric(Sourced):
    """A system's use of a metric: which of its boards owns it there, and where its documents
    say so. Loading one system never changes another's."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="metric_uses")
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="uses")
    owner_board = models.ForeignKey(
        Board, null=True, blank=True, on_delete=models.SET_NULL, related_name="metric_uses"
    )

    class Meta:
        ordering = ["system", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "metric"],
                name="system_metric_unique",
                violation_error_message="The system already uses this metric.",
            ),
            sourced_constraint("system_metric_source_line_has_document"),
        ]

    def __str__(self):
        return f"{self.system}: {self.metric}"


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
    # ISO dates of the periods where the process changed and SPC limits start afresh.
    rebase_periods = models.JSONField(default=list, blank=True)
    # Limits fixed from these periods' points and extended (set by a baseline annotation).
    baseline_start = models.DateField(null=True, blank=True)
    baseline_end = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["metric", "subject_type", "id"]
        verbose_name_plural = "series"
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_start__isnull=True, baseline_end__isnull=True)
                | Q(
                    baseline_start__isnull=False,
                    baseline_end__isnull=False,
                    baseline_end__gte=F("baseline_start"),
                ),
                name="series_baseline_ordered",
                violation_error_message="A baseline needs a start and an end, in that order.",
            ),
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


class ImportJob(models.Model):
    """An upload imported in the background: its file, who sent it, and where it has got to.

    ``status`` moves queued → running → succeeded or failed. The import itself is one
    transaction, so a job that is running has written nothing yet; a succeeded job's result
    (``batch`` and the counts) is saved in the same transaction as the rows it wrote.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    file_name = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Times the job was started: more than one means its worker stopped and it was run again.
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    # [{"row", "column", "message"}, ...]: the first errors; errors_total counts them all.
    errors = models.JSONField(default=list, blank=True)
    errors_total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="import_job_status")]

    def __str__(self):
        return f"Import job {self.pk} ({self.file_name or 'upload'}, {self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class ImportUpload(models.Model):
    """The bytes of a background job's upload, kept in the database until the job ends, so
    that any worker on any machine can read it (no shared file system is needed)."""

    job = models.OneToOneField(
        ImportJob, primary_key=True, on_delete=models.CASCADE, related_name="upload"
    )

    class Kind(models.TextChoices):
        FILE = "file", "A CSV or XLSX file"
        ROWS = "rows", "The API's JSON list of rows"

    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.FILE)
    data = models.BinaryField()

    def __str__(self):
        return f"Upload of job {self.job_id}"


class Observation(Sourced):
    """A value of a series for a period, with where it came from."""

    # Indexed by the unique (series, period_start) constraint, which leads with the series.
    # The database checks this key and the source document's once per statement, not row by
    # row at commit (``metrics.observation_keys``); Django cascades and protects as ever.
    series = models.ForeignKey(
        Series,
        on_delete=models.CASCADE,
        related_name="observations",
        db_index=False,
        db_constraint=False,
    )
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.FloatField()
    # Proportions and rates: what the value was computed from (value = n / d x multiplier).
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    provenance = models.CharField(max_length=20, choices=Provenance.choices)
    # Few observations are documented: a partial index (Meta) instead of one over every row.
    source_document = models.ForeignKey(
        Document,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Set only by the import's upsert, to the batch it created in the same transaction; not
    # checked again by PostgreSQL row by row (a million checks at the commit of a million-row
    # upload). Django still refuses to delete a batch that observations point to (PROTECT).
    # Not indexed: every update sets a new batch, so an index on it would make every updated
    # row a new index entry, where without it PostgreSQL can update the row in place (a HOT
    # update, migration 0015). Nothing looks observations up by batch but deleting one, which
    # no page offers.
    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="observations",
        db_constraint=False,
        db_index=False,
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
            models.CheckConstraint(
                condition=Q(numerator__isnull=True, denominator__isnull=True)
                | Q(numerator__gte=0, denominator__gt=0),
                name="observation_fraction_complete",
                violation_error_message=(
                    "A numerator needs a denominator above 0, and is not negative."
                ),
            ),
            sourced_constraint("observation_source_line_has_document"),
        ]
        indexes = [
            models.Index(
                fields=["source_document"],
                condition=Q(source_document__isnull=False),
                name="observation_source_document",
            ),
            # An upload checks the documented values it would meet; there are few of them.
            models.Index(
                fields=["series", "period_start"],
                condition=Q(provenance=Provenance.DOCUMENT),
                name="observation_documented",
            ),
        ]

    def __str__(self):
        return f"{self.series}: {self.period_start:%Y-%m} = {self.value}"


class SeriesCarry(models.Model):
    """That a predecessor organisation's series continues in its successor's: the successor's
    observations before the succession's date are the predecessor's, kept equal to them
    whenever the predecessor's change (``metrics.carrying``)."""

    succession = models.ForeignKey(
        OrganisationSuccession, on_delete=models.CASCADE, related_name="series_carries"
    )
    source = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="carried_into")
    target = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="carried_from")

    class Meta:
        ordering = ["target", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target"],
                name="series_carry_unique",
                violation_error_message="This series is already carried into that one.",
            ),
            models.CheckConstraint(
                condition=~Q(source=F("target")),
                name="series_carry_not_to_itself",
                violation_error_message="A series cannot be carried into itself.",
            ),
        ]

    def __str__(self):
        return f"{self.source} carried into {self.target}"


class Annotation(models.Model):
    """A dated note on a series: an intervention, a definition change, a rebase or a baseline."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="annotations")
    kind = models.CharField(max_length=20, choices=AnnotationKind.choices)
    # The period it marks (a rebase: the first period of the new segment; a baseline: its first).
    period = models.DateField()
    # A baseline's last period; empty for every other kind.
    period_end = models.DateField(null=True, blank=True)
    label = models.CharField(max_length=120)
    # Why: required for a rebase and a baseline.
    text = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="annotations",
    )
    created_at = models.DateTimeField()
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["series", "period", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=AnnotationKind.BASELINE, period_end__gte=F("period"))
                | (~Q(kind=AnnotationKind.BASELINE) & Q(period_end__isnull=True)),
                name="annotation_baseline_has_end",
                violation_error_message=(
                    "A baseline has a last period after its first; other notes have none."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[AnnotationKind.REBASE, AnnotationKind.BASELINE])
                | ~Q(text=""),
                name="annotation_rebase_has_reason",
                violation_error_message="A rebase or a baseline needs its reason.",
            ),
        ]

    def __str__(self):
        return f"{self.series_id} {self.period}: {self.label}"


class MetricStatement(Sourced):
    """A cited statement about a metric that is not a value: 'grew by 6.6%', 'on track'; each
    system's documents make their own about a national metric."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="metric_statements")
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


class ObservationChange(models.Model):
    """One change an import made to an observation: before and after, by whom and when."""

    # The change log is written only by the import's upsert, from the batch it has just created
    # and the series of the rows it has just written, so PostgreSQL is not asked to check each
    # row's two keys again (a million checks per million-row upload); deleting a series or a
    # batch still deletes its changes (Django cascades).
    # Not indexed either: an index entry per change row is a third of what writing one costs,
    # and nothing reads a batch's changes (a batch is the audit trail, and is never deleted:
    # the admin does not offer it).
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.CASCADE,
        related_name="changes",
        db_constraint=False,
        db_index=False,
    )
    # Not indexed either, for the same reason: nothing reads a series' changes but the
    # deletion of the series (rare: unloading a system), which scans the log once.
    series = models.ForeignKey(
        Series,
        on_delete=models.CASCADE,
        related_name="changes",
        db_index=False,
        db_constraint=False,
    )
    period_start = models.DateField()
    # Only changes to an observation that existed are recorded: a created one is its own
    # record (its batch says who and when). Rows written before that rule have an empty
    # before_provenance where the import created the observation.
    before_value = models.FloatField(null=True, blank=True)
    before_provenance = models.CharField(max_length=20, choices=Provenance.choices, blank=True)
    after_value = models.FloatField()
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "series", "period_start"]

    def __str__(self):
        return f"{self.series_id} {self.period_start}: {self.before_value} → {self.after_value}"


class Snapshot(models.Model):
    """The computed dashboard of one scope (a Place, or the system) at one time.

    Built under ``building`` and published in one short transaction; readers only see the
    latest published snapshot of a scope.
    """

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="snapshots")
    # Empty: the system's own snapshot (system and organisation series).
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.CASCADE, related_name="snapshots"
    )
    # "system:<id>" or "place:<id>": one key for both kinds, so one lock index covers them.
    scope_key = models.CharField(max_length=40)
    status = models.CharField(max_length=12, choices=SnapshotStatus.choices)
    started_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    series_count = models.PositiveIntegerField(default=0)
    # A digest of the inputs; an unchanged digest means an identical snapshot.
    input_digest = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["scope_key", "-started_at", "-id"]
        get_latest_by = "published_at"
        constraints = [
            # The build lock: at most one snapshot of a scope is being built at a time.
            models.UniqueConstraint(
                fields=["scope_key"],
                condition=Q(status=SnapshotStatus.BUILDING),
                name="snapshot_one_build_per_scope",
                violation_error_message="A snapshot of this scope is already being built.",
            ),
            models.CheckConstraint(
                condition=~Q(status=SnapshotStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="snapshot_published_has_time",
                violation_error_message="A published snapshot needs its publication time.",
            ),
        ]
        indexes = [
            models.Index(fields=["scope_key", "status", "-published_at"], name="snapshot_latest")
        ]

    def __str__(self):
        return f"{self.scope_key} {self.status} {self.started_at:%Y-%m-%d %H:%M}"


class SeriesSummary(models.Model):
    """A series as a snapshot saw it: latest value, target, RAG, SPC icons and chart points."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="summaries")
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="summaries")
    latest_period = models.DateField(null=True, blank=True)
    latest_value = models.FloatField(null=True, blank=True)
    target_value = models.FloatField(null=True, blank=True)
    target_period_label = models.CharField(max_length=20, blank=True)
    rag = models.CharField(max_length=8, choices=RAG.choices)
    variation = models.CharField(max_length=24, blank=True)
    assurance = models.CharField(max_length=24, blank=True)
    mean = models.FloatField(null=True, blank=True)
    lower = models.FloatField(null=True, blank=True)
    upper = models.FloatField(null=True, blank=True)
    point_count = models.PositiveIntegerField(default=0)
    provisional = models.BooleanField(default=False)
    provenance = models.CharField(max_length=12, choices=SeriesProvenance.choices)
    # What charts need beyond the observations themselves: {"types": one letter per point
    # (c common, I improvement, C concern, N neutral; "-" unclassified: too few points for
    # SPC), "segments": [[first index, mean, lower, upper, lower 2-sigma, upper 2-sigma], ...],
    # "recent": {"periods": [...], "values": [...]} (the last points, for sparklines)}.
    points = models.JSONField(default=dict)

    class Meta:
        ordering = ["snapshot", "series"]
        verbose_name_plural = "series summaries"
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "series"], name="summary_unique_series_per_snapshot"
            )
        ]

    def __str__(self):
        return f"{self.series_id} in snapshot {self.snapshot_id}"


class ScopeRecompute(models.Model):
    """A scope's recompute bookkeeping: a pending request kept in the database until a build
    after it completes (so it survives the broker being down), and the last completed build."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="recomputes")
    # Empty: the system's own snapshot.
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.CASCADE, related_name="recomputes"
    )
    scope_key = models.CharField(max_length=40, unique=True)
    # When a recompute was last asked for; empty when none is pending.
    requested_at = models.DateTimeField(null=True, blank=True)
    # When the pending request was last handed to the broker; empty if the broker never took it.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # When a build of the scope last completed: published, or confirmed the data unchanged.
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["scope_key"]
        indexes = [
            models.Index(
                fields=["requested_at"],
                condition=Q(requested_at__isnull=False),
                name="recompute_pending",
            )
        ]

    def __str__(self):
        state = "pending" if self.requested_at else "done"
        return f"{self.scope_key} {state}"
