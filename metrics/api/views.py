from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from icsportal.api.pagination import ObservationCursorPagination
from icsportal.api.parsers import PortalJSONParser
from icsportal.api.permissions import IsAnalyst, PortalReadPermission
from icsportal.api.views import PortalViewSet
from places.models import Place, System

from ..choices import SubjectType
from ..filtersets import (
    HICMAssessmentFilterSet,
    MetricFilterSet,
    ObservationFilterSet,
    TargetFilterSet,
    subject_condition,
)
from ..imports import ImportFailed, observations_import
from ..imports.safety import upload_too_large
from ..models import HICMAssessment, Metric, Observation, Series, SeriesSummary, Target
from ..snapshots import LETTER_TYPES, latest_snapshot, scope_key
from .serializers import (
    BulkErrorsSerializer,
    BulkResultSerializer,
    HICMAssessmentSerializer,
    MetricSerializer,
    ObservationSerializer,
    SeriesSerializer,
    SummarySerializer,
    TargetSerializer,
)

# series: each row names its metric and subject
SERIES_JOINS = ("series__metric", "series__place", "series__organisation", "series__system")


class MetricViewSet(PortalViewSet):
    queryset = Metric.objects.select_related("owner_board", "source_document")
    serializer_class = MetricSerializer
    filterset_class = MetricFilterSet
    ordering_fields = ["code", "short_name", "category", "id", "modified_at"]
    ordering = ["category", "code"]
    lookup_field = "code"


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


class HICMAssessmentViewSet(PortalViewSet):
    queryset = HICMAssessment.objects.select_related("change", "source_document")
    serializer_class = HICMAssessmentSerializer
    filterset_class = HICMAssessmentFilterSet
    ordering_fields = ["id", "as_at"]
    ordering = ["change__number", "kind"]


SNAPSHOT_RESPONSE = inline_serializer(
    "Dashboard",
    fields={
        "snapshot": inline_serializer(
            "SnapshotInfo",
            fields={
                "id": serializers.IntegerField(),
                "published_at": serializers.DateTimeField(),
                "scope": serializers.CharField(),
            },
        ),
        "place": serializers.DictField(allow_null=True),
        "system": serializers.DictField(),
        "series": SummarySerializer(many=True),
    },
)


class DashboardView(APIView):
    """The latest published snapshot of a Place (or of the system): every series' summary."""

    # One object, not rows: JSON only (errors included).
    renderer_classes = [JSONRenderer]
    permission_classes = [PortalReadPermission]

    @extend_schema(
        responses={200: SNAPSHOT_RESPONSE},
        parameters=[
            OpenApiParameter("system", str, description="System slug (default: the first)")
        ],
    )
    def get(self, request, place_slug=None):
        systems = System.objects.order_by("name")
        wanted = request.query_params.get("system")
        system = get_object_or_404(systems, slug=wanted) if wanted else systems.first()
        if system is None:
            raise NotFound("No system is loaded.")
        place = None
        if place_slug is not None:
            place = get_object_or_404(Place, system=system, slug=place_slug)
        snapshot = latest_snapshot(system_id=system.pk, place_id=place.pk if place else None)
        if snapshot is None:
            raise NotFound("No snapshot has been published for this dashboard yet.")
        # Rows from .values(): a Place has hundreds of series, and their chart points stay behind.
        summaries = (
            SeriesSummary.objects.filter(snapshot=snapshot)
            .order_by("series__metric__category", "series__metric__code", "series_id")
            .values(*SummarySerializer.row_values)
        )
        return Response(
            {
                "snapshot": {
                    "id": snapshot.pk,
                    "published_at": snapshot.published_at,
                    "scope": snapshot.scope_key,
                },
                "place": {"slug": place.slug, "name": place.name} if place else None,
                "system": {"slug": system.slug, "name": system.name},
                "series": [SummarySerializer.row(v) for v in summaries],
            }
        )


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


class SeriesPointsView(APIView):
    """Per-point SPC of one series, as the latest published snapshot computed it."""

    # One object, not rows: JSON only (errors included).
    renderer_classes = [JSONRenderer]
    permission_classes = [PortalReadPermission]

    @extend_schema(
        parameters=[
            OpenApiParameter("metric", str, required=True, description="Metric code"),
            OpenApiParameter("subject_type", str, required=True, enum=SubjectType.values),
            OpenApiParameter(
                "subject",
                str,
                required=True,
                description="A system or Place slug, or an organisation's abbreviation or key",
            ),
        ],
        responses={
            200: inline_serializer(
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
        },
    )
    def get(self, request):
        params = request.query_params
        missing = [p for p in ("metric", "subject_type", "subject") if not params.get(p)]
        if missing:
            raise ValidationError({p: "This parameter is required." for p in missing})
        # PostgreSQL cannot compare text holding NUL; such a name matches nothing anyway.
        nul = [p for p in ("metric", "subject") if "\x00" in params[p]]
        if nul:
            raise ValidationError({p: "Null characters are not allowed." for p in nul})
        if params["subject_type"] not in SubjectType.values:
            raise ValidationError(
                {"subject_type": f"Choose one of {', '.join(SubjectType.values)}."}
            )
        series = (
            Series.objects.filter(metric__code=params["metric"])
            .filter(subject_condition(params["subject"], params["subject_type"], prefix=""))
            .select_related("metric", "place", "organisation", "system")
            .first()
        )
        if series is None:
            raise NotFound("No such series.")
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
        return Response(
            {
                "series": SeriesSerializer(series).data,
                "snapshot": summary.snapshot_id if summary else None,
                "variation": summary.variation if summary else None,
                "assurance": (summary.assurance or None) if summary else None,
                "provisional": summary.provisional if summary else None,
                "target": summary.target_value if summary else None,
                "points": points,
            }
        )


class ObservationBulkView(APIView):
    """Upload observations: a CSV or XLSX file (field ``file``) or a JSON list of rows.

    All or nothing: any bad row refuses the upload with every error's row and column.
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
                result = observations_import(rows=request.data, file_name="api", user=request.user)
            elif "file" in request.FILES:
                upload = request.FILES["file"]
                if upload.size > limit:
                    raise upload_too_large(upload.size, limit)
                result = observations_import(file=upload, file_name=upload.name, user=request.user)
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
