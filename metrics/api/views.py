import json
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from icsportal.api.pagination import ObservationCursorPagination
from icsportal.api.parsers import PortalJSONParser
from icsportal.api.permissions import IsAnalyst, PortalReadPermission
from icsportal.api.serializers import none_if_blank
from icsportal.api.views import PortalViewSet
from icsportal.roles import PortalRole, is_admin

from ..choices import Provenance, SubjectType
from ..filtersets import (
    AnnotationFilterSet,
    HICMAssessmentFilterSet,
    MetricFilterSet,
    ObservationFilterSet,
    SeriesListFilterSet,
    SystemMetricFilterSet,
    TargetFilterSet,
)
from ..imports import Budget, ImportFailed, observations_import
from ..imports.jobs import import_job_create
from ..imports.safety import upload_too_large
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
from ..selectors import (
    CompareError,
    compare_params,
    compare_periods,
    metric_compare,
    with_uses,
)
from ..services import annotation_create
from ..snapshots import LETTER_TYPES, scope_key
from .serializers import (
    AnnotationCreateSerializer,
    AnnotationSerializer,
    BulkErrorsSerializer,
    BulkResultSerializer,
    HICMAssessmentSerializer,
    ImportJobSerializer,
    MetricSerializer,
    ObservationSerializer,
    SeriesListSerializer,
    SeriesSerializer,
    SystemMetricSerializer,
    TargetSerializer,
)

# series: each row names its metric and subject
SERIES_JOINS = ("series__metric", "series__place", "series__organisation", "series__system")


class MetricViewSet(PortalViewSet):
    # source_document: each row's citation; uses: the owner board in the user's systems
    queryset = with_uses(Metric.objects.select_related("source_document"))
    serializer_class = MetricSerializer
    filterset_class = MetricFilterSet
    ordering_fields = ["code", "short_name", "category", "id", "modified_at"]
    ordering = ["category", "code"]
    lookup_field = "code"


class SystemMetricViewSet(PortalViewSet):
    """Each system's use of a metric: the board that owns it in that system and the line of
    that system's documents that says so. A national metric has one row per system using it;
    ``metrics/``'s own owner board is that of the system that loaded it first."""

    # system, metric, owner_board: named on each row; source_document: each row's citation
    queryset = SystemMetric.objects.select_related(
        "system", "metric", "owner_board", "source_document"
    )
    serializer_class = SystemMetricSerializer
    filterset_class = SystemMetricFilterSet
    ordering_fields = ["id", "metric__code", "system__name"]
    ordering = ["metric__category", "metric__code", "system__name"]


class TargetViewSet(PortalViewSet):
    queryset = Target.objects.select_related(*SERIES_JOINS, "source_document")
    serializer_class = TargetSerializer
    filterset_class = TargetFilterSet
    ordering_fields = ["period_start", "value", "id", "modified_at"]
    ordering = ["series_id", "period_start"]


class ObservationViewSet(PortalViewSet):
    queryset = Observation.objects.select_related(*SERIES_JOINS, "source_document")
    serializer_class = ObservationSerializer
    filterset_class = ObservationFilterSet
    pagination_class = ObservationCursorPagination
    # Cursor pages keep their own fixed order; ordering by other fields is not offered.
    ordering_fields = []


class AnnotationViewSet(mixins.CreateModelMixin, PortalViewSet):
    """Dated notes on series; analysts, admins and the secretaries of a metric's owning board
    add them (``metrics.services.annotation_create``)."""

    # series__metric, subject: each row names its series; created_by: who wrote it
    queryset = Annotation.objects.select_related(*SERIES_JOINS, "created_by")
    serializer_class = AnnotationSerializer
    filterset_class = AnnotationFilterSet
    ordering_fields = ["period", "created_at", "id"]
    ordering = ["series_id", "period", "id"]
    # Who may try: the service decides for the metric's board.
    write_roles = (PortalRole.ANALYST, PortalRole.BOARD_SECRETARY, PortalRole.ADMIN)

    @extend_schema(request=AnnotationCreateSerializer, responses={201: AnnotationSerializer})
    def create(self, request, *args, **kwargs):
        shape = AnnotationCreateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        try:
            annotation = annotation_create(user=request.user, **shape.validated_data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return Response(AnnotationSerializer(annotation).data, status=status.HTTP_201_CREATED)


class HICMAssessmentViewSet(PortalViewSet):
    queryset = HICMAssessment.objects.select_related("change", "source_document")
    serializer_class = HICMAssessmentSerializer
    filterset_class = HICMAssessmentFilterSet
    ordering_fields = ["id", "as_at"]
    ordering = ["change__number", "kind"]


POINTS = inline_serializer(
    "SeriesPoint",
    many=True,
    fields={
        "period_start": serializers.DateField(),
        "period_end": serializers.DateField(),
        "value": serializers.FloatField(),
        "provenance": serializers.CharField(),
        "segment": serializers.IntegerField(allow_null=True),
        "mean": serializers.FloatField(allow_null=True),
        "lower": serializers.FloatField(allow_null=True),
        "upper": serializers.FloatField(allow_null=True),
        "point_type": serializers.CharField(allow_null=True),
    },
)


SERIES_POINTS = inline_serializer(
    "SeriesPoints",
    fields={
        "series": SeriesSerializer(),
        "snapshot": serializers.IntegerField(allow_null=True),
        "variation": serializers.CharField(allow_null=True),
        "assurance": serializers.CharField(allow_null=True),
        "provisional": serializers.BooleanField(allow_null=True),
        "target": serializers.FloatField(allow_null=True),
        "points": POINTS,
    },
)
SERIES_PAGE = inline_serializer(
    "PaginatedSeriesList",
    fields={
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": SeriesListSerializer(many=True),
    },
)


class SeriesViewSet(PortalViewSet):
    """Every series (a metric for one subject), to find what exists; a series' points with
    their SPC at its ``points`` URL, or here when ``metric`` and ``subject`` name it."""

    # metric, subject: named on each row
    queryset = Series.objects.select_related("metric", "system", "place", "organisation").annotate(
        synthetic=ExpressionWrapper(
            Q(metric__is_synthetic=True)
            | Exists(
                Observation.objects.filter(series=OuterRef("pk"), provenance=Provenance.SYNTHETIC)
            ),
            BooleanField(),
        )
    )
    serializer_class = SeriesListSerializer
    filterset_class = SeriesListFilterSet
    ordering_fields = ["id"]
    ordering = ["metric__code", "subject_type", "id"]

    @extend_schema(
        description=(
            "The series, paginated and filtered. With `metric` and `subject` (and `subject_type` "
            "where a slug names both a system and a Place) naming one series, the answer is "
            "that series' points, as at its `points` URL."
        ),
        responses={
            200: PolymorphicProxySerializer(
                component_name="SeriesListOrPoints",
                serializers=[SERIES_PAGE, SERIES_POINTS],
                resource_type_field_name=None,
                # The page is SERIES_PAGE itself: no second pagination around the choice.
                many=False,
            )
        },
    )
    def list(self, request, *args, **kwargs):
        params = request.query_params
        if not (params.get("metric") and params.get("subject")):
            return super().list(request, *args, **kwargs)
        # The filters check the names (400 naming each unknown one) and find the series.
        filterset = self.filterset_class(params, queryset=self.get_queryset())
        if not filterset.is_valid():
            raise ValidationError({k: list(v) for k, v in filterset.errors.items()})
        found = list(filterset.qs[:2])
        if not found:
            raise NotFound("No such series.")
        if len(found) > 1:
            raise ValidationError(
                {"subject_type": "The subject names more than one series: give its type."}
            )
        return self._points(request, found[0])

    @extend_schema(responses={200: SERIES_POINTS})
    def retrieve(self, request, *args, **kwargs):
        return self._points(request, self.get_object())

    def _points(self, request, series):
        """Per-point SPC of one series, as the latest published snapshot computed it."""
        system_id = (
            series.place.system_id
            if series.place_id
            else (series.system_id or series.organisation.system_id)
        )
        key = scope_key(system_id=system_id, place_id=series.place_id)
        summary = (
            SeriesSummary.objects.filter(
                series=series, snapshot__scope_key=key, snapshot__status="published"
            )
            .order_by("-snapshot__published_at")
            .first()
        )
        observations = series.observations.order_by("period_start")
        if summary and summary.latest_period:
            observations = observations.filter(period_start__lte=summary.latest_period)
        rows = list(observations.values("period_start", "period_end", "value", "provenance"))
        types = summary.points.get("types", "") if summary else ""
        segments = summary.points.get("segments", []) if summary else []
        points = []
        for i, row in enumerate(rows):
            seg = max((k for k, s in enumerate(segments) if s[0] <= i), default=None)
            limits = segments[seg] if seg is not None else [None] * 6
            points.append(
                {
                    **row,
                    "segment": seg,
                    "mean": limits[1],
                    "lower": limits[2],
                    "upper": limits[3],
                    "point_type": LETTER_TYPES.get(types[i]) if i < len(types) else None,
                }
            )
        named = SeriesSerializer(series).data
        if getattr(request.accepted_renderer, "format", None) == "csv":
            # One row a point, each naming its series: a table a spreadsheet opens.
            return Response(
                [
                    {"metric": named["metric"], "subject_type": named["subject_type"]}
                    | {"subject": named["subject"], **point}
                    for point in points
                ]
            )
        return Response(
            {
                "series": named,
                "snapshot": summary.snapshot_id if summary else None,
                "variation": none_if_blank(summary.variation) if summary else None,
                "assurance": none_if_blank(summary.assurance) if summary else None,
                "provisional": summary.provisional if summary else None,
                "target": summary.target_value if summary else None,
                "points": points,
            }
        )


class ObservationBulkView(APIView):
    """Upload observations: a CSV or XLSX file (field ``file``) or a JSON list of rows.

    All or nothing: any bad row refuses the upload with every error's row and column. A file
    larger than PORTAL_IMPORT_BACKGROUND_BYTES (or a list of more than
    PORTAL_IMPORT_BACKGROUND_ROWS rows) is imported in the background: the answer is 202 with
    ``Location: /api/v1/imports/{id}/``, where the job reports its progress and its result.
    """

    # One object, not rows: JSON only (errors included).
    renderer_classes = [JSONRenderer]
    permission_classes = [IsAnalyst]
    parser_classes = [MultiPartParser, PortalJSONParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "ObservationUpload", fields={"file": serializers.FileField()}
            ),
            "application/json": inline_serializer(
                "ObservationRow",
                fields={
                    "metric": serializers.CharField(),
                    "subject_type": serializers.ChoiceField(choices=SubjectType.values),
                    "subject": serializers.CharField(),
                    "period": serializers.CharField(),
                    "value": serializers.FloatField(),
                    "note": serializers.CharField(required=False),
                },
                many=True,
            ),
        },
        responses={
            201: BulkResultSerializer,
            202: ImportJobSerializer,
            400: BulkErrorsSerializer,
            409: BulkErrorsSerializer,
            413: BulkErrorsSerializer,
            415: BulkErrorsSerializer,
        },
    )
    def post(self, request):
        limit = settings.PORTAL_UPLOAD_MAX_BYTES
        try:
            # Refused before the body is read: a client that sends too much waits for nothing.
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
            if declared > limit:
                raise upload_too_large(declared, limit)
            if isinstance(request.data, list):
                if len(request.data) > settings.PORTAL_IMPORT_BACKGROUND_ROWS:
                    data = json.dumps(request.data).encode()
                    return self._accepted(request, data=data, kind="rows", file_name="api")
                result = observations_import(
                    rows=request.data,
                    file_name="api",
                    user=request.user,
                    budget=Budget.for_request(),
                )
            elif "file" in request.FILES:
                upload = request.FILES["file"]
                if upload.size > limit:
                    raise upload_too_large(upload.size, limit)
                if upload.size > settings.PORTAL_IMPORT_BACKGROUND_BYTES:
                    return self._accepted(request, data=upload, kind="file", file_name=upload.name)
                result = observations_import(
                    file=upload,
                    file_name=upload.name,
                    user=request.user,
                    budget=Budget.for_request(),
                )
            else:
                return Response(
                    {
                        "errors": [
                            {
                                "row": None,
                                "column": None,
                                "message": "Send a file (field 'file') or a JSON list of rows.",
                            }
                        ],
                        "total": 1,
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
        except ImportFailed as exc:
            # 409 other uploads kept winning the same rows, 413 too large, 415 a file type the
            # portal does not read, 400 anything else.
            status_code = getattr(exc, "status_code", status.HTTP_400_BAD_REQUEST)
            return Response({"errors": exc.errors, "total": exc.total}, status=status_code)
        return Response(
            {
                "batch": result.batch.pk,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
            status=status.HTTP_201_CREATED,
        )

    def _accepted(self, request, *, data: bytes | BinaryIO, kind: str, file_name: str) -> Response:
        """Store the upload as a background job and answer 202 with where to follow it."""
        job = import_job_create(data=data, kind=kind, file_name=file_name, user=request.user)
        body = ImportJobSerializer(job).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class ImportJobViewSet(viewsets.ReadOnlyModelViewSet):
    """Background imports: an analyst's own, newest first (an administrator sees everyone's).

    Each reports ``status`` (queued, running, succeeded, failed), ``progress`` (rows read of
    the total known so far), the counts once it has succeeded, and every error (row, column,
    message) once it has failed; nothing is written unless it succeeds.
    """

    serializer_class = ImportJobSerializer
    permission_classes = [IsAnalyst]
    renderer_classes = [JSONRenderer]
    filter_backends: list = []

    def get_queryset(self):
        jobs = ImportJob.objects.select_related("owner")
        if is_admin(self.request.user):
            return jobs
        return jobs.filter(owner=self.request.user)


COMPARE_UNIT = inline_serializer(
    "CompareUnit",
    fields={
        "subject": serializers.CharField(),
        "subject_slug": serializers.CharField(),
        "subject_type": serializers.CharField(),
        "system": serializers.CharField(),
        "system_slug": serializers.CharField(),
        "numerator": serializers.FloatField(),
        "denominator": serializers.FloatField(),
        "value": serializers.FloatField(),
        "z": serializers.FloatField(),
        "ll99": serializers.FloatField(),
        "ll95": serializers.FloatField(),
        "ul95": serializers.FloatField(),
        "ul99": serializers.FloatField(),
        "flag95": serializers.CharField(help_text="above, below or within the 95% limits"),
        "flag99": serializers.CharField(help_text="above, below or within the 99.8% limits"),
        "synthetic": serializers.BooleanField(),
    },
    many=True,
)
UNIT_KEYS = (
    "subject",
    "subject_slug",
    "subject_type",
    "system",
    "system_slug",
    "numerator",
    "denominator",
    "value",
    "z",
    "ll99",
    "ll95",
    "ul95",
    "ul99",
    "flag95",
    "flag99",
    "synthetic",
)


class CompareView(APIView):
    """A funnel plot of every subject of one type (in every system) for a proportion or rate
    metric in one period: 95% and 99.8% limits adjusted for over-dispersion (Spiegelhalter
    2005), and which subjects lie beyond them."""

    renderer_classes = [JSONRenderer]
    permission_classes = [PortalReadPermission]

    @extend_schema(
        parameters=[
            OpenApiParameter("metric", str, required=True, description="Metric code"),
            OpenApiParameter(
                "period",
                str,
                description="The period's first day (YYYY-MM-DD) or month (YYYY-MM); "
                "default: the latest with data",
            ),
            OpenApiParameter(
                "subject_type", str, enum=SubjectType.values, description="Default: place"
            ),
        ],
        responses={
            200: inline_serializer(
                "Comparison",
                fields={
                    "metric": serializers.CharField(),
                    "period": serializers.DateField(),
                    "subject_type": serializers.CharField(),
                    "kind": serializers.ChoiceField(choices=["proportion", "rate"]),
                    "target": serializers.FloatField(),
                    "phi": serializers.FloatField(allow_null=True),
                    "tau2": serializers.FloatField(),
                    "synthetic": serializers.BooleanField(),
                    "units": COMPARE_UNIT,
                },
            )
        },
    )
    def get(self, request):
        try:
            metric, period, subject_type = compare_params(request.query_params)
            if period is None:
                periods = compare_periods(metric, subject_type)
                if not periods:
                    raise CompareError(
                        "period", f"No {subject_type} has a numerator and denominator yet."
                    )
                period = periods[0]
            found = metric_compare(metric=metric, period=period, subject_type=subject_type)
        except CompareError as exc:
            raise ValidationError({exc.field: str(exc)}) from exc
        return Response(
            {
                "metric": metric.code,
                "period": period.isoformat(),
                "subject_type": subject_type,
                "kind": found["kind"],
                "target": found["target"],
                "phi": found["phi"],
                "tau2": found["tau2"],
                "synthetic": found["synthetic"],
                "units": [{k: u[k] for k in UNIT_KEYS} for u in found["units"]],
            }
        )
