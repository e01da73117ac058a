from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.api.serializers import BoardBriefSerializer
from icsportal.api.serializers import (
    NoneIfBlankField,
    iso_date,
    iso_datetime,
    none_if_blank,
    source_field,
    source_row,
    source_values,
)
from places.api.serializers import SystemBriefSerializer

from ..choices import AnnotationKind
from ..imports.jobs import job_progress
from ..models import (
    Annotation,
    HICMAssessment,
    ImportJob,
    Metric,
    Observation,
    Series,
    SeriesSummary,
    SystemMetric,
    Target,
)
from ..selectors import owner_board_seen_by


class MetricBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Metric
        fields = ["id", "code", "short_name"]


class OwnerBoardSerializer(BoardBriefSerializer):
    """A metric's owner board in a system the user holds (``owner_board_seen_by``); each
    system's owner is in ``system-metrics/``."""

    def get_attribute(self, instance):
        return owner_board_seen_by(instance, self.context["request"].user)


class MetricSerializer(serializers.ModelSerializer):
    owner_board = OwnerBoardSerializer(read_only=True, allow_null=True)
    synthetic = serializers.BooleanField(source="is_synthetic", read_only=True)
    source = source_field()

    class Meta:
        model = Metric
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "abbreviation",
            "definition",
            "unit",
            "unit_note",
            "polarity",
            "polarity_basis",
            "frequency",
            "category",
            "owner_board",
            "outcome",
            "tolerance",
            "decimal_places",
            "minimum",
            "maximum",
            "data_kind",
            "chart",
            "rules",
            "multiplier",
            "synthetic",
            "modified_at",
            "source",
        ]


class SystemMetricSerializer(serializers.ModelSerializer):
    """A system's use of a metric: the board that owns it in that system and the line of that
    system's documents that says so (a national metric has one of these per system)."""

    system = SystemBriefSerializer(read_only=True)
    metric = MetricBriefSerializer(read_only=True)
    national = serializers.SerializerMethodField(
        help_text="Whether the metric is defined nationally (one code for every system)."
    )
    owner_board = BoardBriefSerializer(read_only=True, allow_null=True)
    source = source_field()

    class Meta:
        model = SystemMetric
        fields = ["id", "system", "metric", "national", "owner_board", "source"]

    def get_national(self, obj) -> bool:
        return obj.metric.system_id is None


class SeriesSerializer(serializers.ModelSerializer):
    """A series: its metric and subject, named as uploads name them."""

    metric = serializers.CharField(source="metric.code", read_only=True)
    subject = serializers.CharField(source="subject_slug", read_only=True)
    subject_name = serializers.SerializerMethodField()

    class Meta:
        model = Series
        fields = ["id", "metric", "subject_type", "subject", "subject_name"]

    def get_subject_name(self, series) -> str:
        return str(series.subject)


class SeriesListSerializer(SeriesSerializer):
    """A series as the series list shows it: what it measures, for whom, and where its
    points are."""

    metric_name = serializers.CharField(source="metric.short_name", read_only=True)
    unit = serializers.CharField(source="metric.unit", read_only=True)
    frequency = serializers.CharField(source="metric.frequency", read_only=True)
    synthetic = serializers.BooleanField(read_only=True)
    points = serializers.SerializerMethodField()

    class Meta(SeriesSerializer.Meta):
        fields = [*SeriesSerializer.Meta.fields, "metric_name", "unit", "frequency"]
        fields += ["synthetic", "points"]

    def get_points(self, series) -> str:
        """The URL of the series' points with their SPC."""
        path = reverse("api:series_detail", kwargs={"pk": series.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


# The columns of a row's series that ``series_row`` reads (the row's model has a ``series``).
SERIES_VALUES = (
    "series_id",
    "series__metric__code",
    "series__subject_type",
    "series__system__slug",
    "series__system__name",
    "series__place__slug",
    "series__place__name",
    "series__organisation__abbreviation",
    "series__organisation__key",
    "series__organisation__name",
)


def series_row(v: dict) -> dict:
    """What ``SeriesSerializer`` gives for the series whose ``SERIES_VALUES`` are in ``v``."""
    # The subject is the system, else the Place, else the organisation (``Series.subject``).
    if v["series__system__slug"] is not None:
        slug, name = v["series__system__slug"], v["series__system__name"]
    elif v["series__place__slug"] is not None:
        slug, name = v["series__place__slug"], v["series__place__name"]
    else:
        slug = v["series__organisation__abbreviation"] or v["series__organisation__key"]
        name = v["series__organisation__name"]
    return {
        "id": v["series_id"],
        "metric": v["series__metric__code"],
        "subject_type": v["series__subject_type"],
        "subject": slug,
        "subject_name": name,
    }


class TargetSerializer(serializers.ModelSerializer):
    series = SeriesSerializer(read_only=True)
    source = source_field()

    class Meta:
        model = Target
        fields = [
            "id",
            "series",
            "period_start",
            "period_end",
            "period_label",
            "value",
            "as_written",
            "note",
            "modified_at",
            "source",
        ]


class ObservationSerializer(serializers.ModelSerializer):
    series = SeriesSerializer(read_only=True)
    synthetic = serializers.SerializerMethodField()
    batch = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    source = source_field()

    class Meta:
        model = Observation
        fields = [
            "id",
            "series",
            "period_start",
            "period_end",
            "value",
            "numerator",
            "denominator",
            "provenance",
            "synthetic",
            "batch",
            "as_written",
            "note",
            "modified_at",
            "source",
        ]

    def get_synthetic(self, observation) -> bool:
        """True for illustrative data generated by the portal."""
        return observation.provenance == "synthetic"

    # series_id: the cursor pages position on it.
    row_values = (
        *("id", *SERIES_VALUES, "period_start", "period_end", "value", "provenance"),
        *("numerator", "denominator"),
        *("batch_id", "as_written", "note", "modified_at", *source_values()),
    )

    @staticmethod
    def row(v: dict) -> dict:
        """The representation of the observation whose ``row_values`` are ``v``."""
        return {
            "id": v["id"],
            "series": series_row(v),
            "period_start": iso_date(v["period_start"]),
            "period_end": iso_date(v["period_end"]),
            "value": v["value"],
            "numerator": v["numerator"],
            "denominator": v["denominator"],
            "provenance": v["provenance"],
            "synthetic": v["provenance"] == "synthetic",
            "batch": v["batch_id"],
            "as_written": v["as_written"],
            "note": v["note"],
            "modified_at": iso_datetime(v["modified_at"]),
            "source": source_row(v),
        }


class HICMAssessmentSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(source="change.number", read_only=True)
    change = serializers.CharField(source="change.name", read_only=True)
    area = serializers.CharField(source="change.area", read_only=True)
    source = source_field()

    class Meta:
        model = HICMAssessment
        fields = [
            "id",
            "number",
            "change",
            "area",
            "kind",
            "as_at",
            "as_at_label",
            "maturity",
            "source",
        ]


class BlankAsNullField(serializers.CharField):
    """A code that is empty when there is none (no SPC: too few points, or no target): null."""

    def to_representation(self, value):
        return value or None


class SummarySerializer(serializers.ModelSerializer):
    """A series as the latest published snapshot sees it; ``variation`` and ``assurance`` are
    null when the series has too few points for SPC (``provisional``) or none applies."""

    series = SeriesSerializer(read_only=True)
    variation = BlankAsNullField(read_only=True, allow_null=True)
    assurance = BlankAsNullField(read_only=True, allow_null=True)
    metric_name = serializers.CharField(source="series.metric.short_name", read_only=True)
    unit = serializers.CharField(source="series.metric.unit", read_only=True)
    polarity = serializers.CharField(source="series.metric.polarity", read_only=True)
    # None when there is none: no target period, too few points, no target to assure against.
    target_period_label = NoneIfBlankField()
    variation = NoneIfBlankField()
    assurance = NoneIfBlankField()
    synthetic = serializers.SerializerMethodField()

    class Meta:
        model = SeriesSummary
        fields = [
            "series",
            "metric_name",
            "unit",
            "polarity",
            "latest_period",
            "latest_value",
            "target_value",
            "target_period_label",
            "rag",
            "variation",
            "assurance",
            "mean",
            "lower",
            "upper",
            "point_count",
            "provisional",
            "provenance",
            "synthetic",
        ]

    def get_synthetic(self, summary) -> bool:
        """True when any of the series' points are illustrative (synthetic)."""
        return summary.provenance == "synthetic" or summary.series.metric.is_synthetic

    row_values = (
        *SERIES_VALUES,
        *("series__metric__short_name", "series__metric__unit", "series__metric__polarity"),
        *("series__metric__is_synthetic", "latest_period", "latest_value", "target_value"),
        *("target_period_label", "rag", "variation", "assurance", "mean", "lower", "upper"),
        *("point_count", "provisional", "provenance"),
    )

    @staticmethod
    def row(v: dict) -> dict:
        """The representation of the summary whose ``row_values`` are ``v``."""
        return {
            "series": series_row(v),
            "metric_name": v["series__metric__short_name"],
            "unit": v["series__metric__unit"],
            "polarity": v["series__metric__polarity"],
            "latest_period": iso_date(v["latest_period"]),
            "latest_value": v["latest_value"],
            "target_value": v["target_value"],
            "target_period_label": none_if_blank(v["target_period_label"]),
            "rag": v["rag"],
            "variation": none_if_blank(v["variation"]),
            "assurance": none_if_blank(v["assurance"]),
            "mean": v["mean"],
            "lower": v["lower"],
            "upper": v["upper"],
            "point_count": v["point_count"],
            "provisional": v["provisional"],
            "provenance": v["provenance"],
            "synthetic": v["provenance"] == "synthetic" or v["series__metric__is_synthetic"],
        }


class BulkResultSerializer(serializers.Serializer):
    batch = serializers.IntegerField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class BulkErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class BulkErrorsSerializer(serializers.Serializer):
    errors = BulkErrorSerializer(many=True)
    total = serializers.IntegerField()


class ImportProgressSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="rows read so far")
    total = serializers.IntegerField(
        allow_null=True, help_text="the rows expected, when known (from the file's lines)"
    )


class ImportJobSerializer(serializers.ModelSerializer):
    """A background import: where it has got to and, once finished, its result or errors."""

    url = serializers.SerializerMethodField()
    owner = serializers.CharField(
        source="owner.username", read_only=True, allow_null=True, default=None
    )
    progress = serializers.SerializerMethodField()
    errors = BulkErrorSerializer(many=True, read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "url",
            "status",
            "file_name",
            "size",
            "owner",
            "created_at",
            "started_at",
            "finished_at",
            "attempts",
            "progress",
            "batch",
            "rows",
            "created",
            "updated",
            "unchanged",
            "errors",
            "errors_total",
        ]
        read_only_fields = fields

    def get_url(self, job) -> str:
        return reverse("api:import-detail", args=[job.pk])

    @extend_schema_field(ImportProgressSerializer)
    def get_progress(self, job) -> dict:
        found = job_progress(job)
        return {"rows": found.rows, "total": found.total}


class AnnotationSerializer(serializers.ModelSerializer):
    """A dated note on a series, with who wrote it; ``synthetic`` when the metric is."""

    series = SeriesSerializer(read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True, default=None
    )
    synthetic = serializers.BooleanField(source="series.metric.is_synthetic", read_only=True)

    class Meta:
        model = Annotation
        fields = [
            "id",
            "series",
            "kind",
            "period",
            "period_end",
            "label",
            "text",
            "created_by",
            "created_at",
            "synthetic",
        ]


class AnnotationCreateSerializer(serializers.Serializer):
    """The shape of a new annotation; ``metrics.services.annotation_create`` checks the rest."""

    series = serializers.PrimaryKeyRelatedField(
        queryset=Series.objects.select_related("metric"),
        help_text="The series' id (as /api/v1/series/ and the observations give it)",
    )
    kind = serializers.ChoiceField(choices=AnnotationKind.choices)
    period = serializers.DateField(help_text="The period it marks (a baseline: its first)")
    period_end = serializers.DateField(
        required=False, allow_null=True, help_text="A baseline's last period"
    )
    label = serializers.CharField(max_length=120)
    text = serializers.CharField(required=False, allow_blank=True, default="")
