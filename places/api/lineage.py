"""Places in systems over time and clusters of systems in the API: read by every role,
recorded (POST) by administrators through ``places.lineage``."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from icsportal.api.serializers import source_field
from icsportal.api.views import PortalViewSet
from icsportal.roles import PortalRole

from ..filtersets import ClusterFilterSet, PlaceInSystemFilterSet
from ..lineage import ONLY_ADMINS, ClusterChange, StatedSource, cluster_create, place_move
from ..models import Cluster, ClusterMembership, Document, Place, PlaceInSystem, System
from .serializers import PlaceBriefSerializer, SystemBriefSerializer


class StatedSourceSerializer(serializers.Serializer):
    """The reason for a change to the structure and its source: ``source_document`` (a
    document's key) and ``source_line``, or ``stated_by`` and ``stated_on``."""

    reason = serializers.CharField(help_text="Why the change was made")
    source_document = serializers.SlugRelatedField(
        slug_field="key",
        queryset=Document.objects.all(),
        required=False,
        allow_null=True,
        help_text="The key of the document stating the change (doc_004)",
    )
    source_line = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2_147_483_647
    )
    stated_by = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Or: the person who stated it"
    )
    stated_on = serializers.DateField(
        required=False, allow_null=True, help_text="The date that person stated it"
    )

    def stated_source(self) -> StatedSource:
        data = self.validated_data
        return StatedSource(
            document=data.get("source_document"),
            line=data.get("source_line"),
            stated_by=data.get("stated_by", ""),
            stated_on=data.get("stated_on"),
        )


def attested_fields() -> list[str]:
    """The fields every change to the structure shows: why, its source, and when recorded."""
    return ["reason", "source", "stated_by", "stated_on", "recorded_at"]


def recorded_or_refused(call):
    """Run a service; its refusals as the API's 403 and 400 (JSON naming the field)."""
    try:
        return call()
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


class PlaceInSystemSerializer(serializers.ModelSerializer):
    place = PlaceBriefSerializer(read_only=True)
    system = SystemBriefSerializer(read_only=True)
    source = source_field()

    class Meta:
        model = PlaceInSystem
        fields = ["id", "place", "system", "valid_from", "valid_to", *attested_fields()]


class PlaceMoveSerializer(StatedSourceSerializer):
    place = serializers.SlugRelatedField(
        slug_field="key", queryset=Place.objects.all(), help_text="The Place's key"
    )
    system = serializers.SlugRelatedField(
        slug_field="slug", queryset=System.objects.all(), help_text="The slug of its new system"
    )
    date = serializers.DateField(help_text="The first day in the new system (YYYY-MM-DD)")


@extend_schema_view(
    create=extend_schema(request=PlaceMoveSerializer, responses={201: PlaceInSystemSerializer})
)
class PlaceInSystemViewSet(mixins.CreateModelMixin, PortalViewSet):
    """Which system each Place that moved belonged to, from when to when; administrators POST
    a move (the Place's record in its old system ends the day before)."""

    queryset = PlaceInSystem.objects.select_related("place", "system", "source_document")
    serializer_class = PlaceInSystemSerializer
    filterset_class = PlaceInSystemFilterSet
    ordering_fields = ["valid_from", "id"]
    # In the order recorded: a record with an unstated start sorts last by date.
    ordering = ["place_id", "id"]
    write_roles = (PortalRole.ADMIN,)
    write_refusal = ONLY_ADMINS

    def create(self, request, *args, **kwargs):
        shape = PlaceMoveSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = shape.validated_data
        moved = recorded_or_refused(
            lambda: place_move(
                user=request.user,
                place=data["place"],
                system=data["system"],
                date=data["date"],
                reason=data["reason"],
                source=shape.stated_source(),
            )
        )
        return Response(PlaceInSystemSerializer(moved).data, status=status.HTTP_201_CREATED)


class ClusterMembershipSerializer(serializers.ModelSerializer):
    system = SystemBriefSerializer(read_only=True)

    class Meta:
        model = ClusterMembership
        fields = ["system", "valid_from", "valid_to"]


class ClusterSerializer(serializers.ModelSerializer):
    memberships = ClusterMembershipSerializer(many=True, read_only=True)
    source = source_field()

    class Meta:
        model = Cluster
        fields = [
            "id",
            "key",
            "slug",
            "name",
            "valid_from",
            "valid_to",
            "memberships",
            "note",
            *attested_fields(),
        ]


class ClusterCreateSerializer(StatedSourceSerializer):
    name = serializers.CharField(max_length=200)
    systems = serializers.ListField(
        child=serializers.SlugRelatedField(slug_field="slug", queryset=System.objects.all()),
        help_text="The slugs of its systems (at least two)",
    )
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_to = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(
    create=extend_schema(request=ClusterCreateSerializer, responses={201: ClusterSerializer})
)
class ClusterViewSet(mixins.CreateModelMixin, PortalViewSet):
    """Clusters of systems sharing a board and executive team, with their dates; ``as_at``
    keeps those in force on a date. Administrators POST new ones."""

    queryset = Cluster.objects.select_related("source_document").prefetch_related(
        "memberships__system"
    )
    serializer_class = ClusterSerializer
    filterset_class = ClusterFilterSet
    ordering_fields = ["name", "id"]
    ordering = ["name"]
    lookup_field = "slug"
    write_roles = (PortalRole.ADMIN,)
    write_refusal = ONLY_ADMINS

    def create(self, request, *args, **kwargs):
        shape = ClusterCreateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = shape.validated_data
        cluster = recorded_or_refused(
            lambda: cluster_create(
                user=request.user,
                change=ClusterChange(
                    name=data["name"],
                    valid_from=data.get("valid_from"),
                    valid_to=data.get("valid_to"),
                    systems=data["systems"],
                    note=data["note"],
                ),
                reason=data["reason"],
                source=shape.stated_source(),
            )
        )
        return Response(ClusterSerializer(cluster).data, status=status.HTTP_201_CREATED)
