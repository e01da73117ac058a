"""Successions of boards and organisations in the API: read by every role, recorded (POST) by
administrators through ``governance.lineage.succession_record``."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from icsportal.api.serializers import source_field
from icsportal.api.views import PortalViewSet
from icsportal.roles import PortalRole
from places.api.lineage import StatedSourceSerializer, attested_fields, recorded_or_refused
from places.lineage import ONLY_ADMINS

from ..choices import SuccessionKind
from ..filtersets import BoardSuccessionFilterSet, OrganisationSuccessionFilterSet
from ..lineage import SuccessionChange, succession_record
from ..models import Board, BoardSuccession, Organisation, OrganisationSuccession
from .serializers import BoardBriefSerializer, OrganisationBriefSerializer


class BoardSuccessionSerializer(serializers.ModelSerializer):
    predecessor = BoardBriefSerializer(read_only=True)
    successor = BoardBriefSerializer(read_only=True, allow_null=True)
    source = source_field()

    class Meta:
        model = BoardSuccession
        fields = ["id", "predecessor", "successor", "kind", "date", "note", *attested_fields()]


class OrganisationSuccessionSerializer(serializers.ModelSerializer):
    predecessor = OrganisationBriefSerializer(read_only=True)
    successor = OrganisationBriefSerializer(read_only=True, allow_null=True)
    source = source_field()

    class Meta:
        model = OrganisationSuccession
        fields = ["id", "predecessor", "successor", "kind", "date", "note", *attested_fields()]


class SuccessionCreateSerializer(StatedSourceSerializer):
    """A succession to record: ``predecessor`` replaced by ``successors`` on ``date``."""

    kind = serializers.ChoiceField(choices=SuccessionKind.choices)
    date = serializers.DateField(help_text="The date the change took effect (YYYY-MM-DD)")
    successors_start = serializers.BooleanField(
        default=True,
        help_text="Whether the successors come into being on the date (false: a merger into a "
        "body that already existed)",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class BoardSuccessionCreateSerializer(SuccessionCreateSerializer):
    predecessor = serializers.SlugRelatedField(
        slug_field="slug", queryset=Board.objects.all(), help_text="The replaced board's slug"
    )
    successors = serializers.ListField(
        child=serializers.SlugRelatedField(slug_field="slug", queryset=Board.objects.all()),
        allow_empty=False,
        help_text="The slugs of the boards that replaced it (several for a split)",
    )


class OrganisationSuccessionCreateSerializer(SuccessionCreateSerializer):
    predecessor = serializers.SlugRelatedField(
        slug_field="key",
        queryset=Organisation.objects.all(),
        help_text="The replaced organisation's key (org_crccg)",
    )
    successors = serializers.ListField(
        child=serializers.SlugRelatedField(slug_field="key", queryset=Organisation.objects.all()),
        allow_empty=False,
        help_text="The keys of the organisations that replaced it (several for a split)",
    )


class SuccessionViewSet(mixins.CreateModelMixin, PortalViewSet):
    """Successions of one kind of body; administrators POST new ones."""

    body = ""
    create_serializer_class: type[SuccessionCreateSerializer]
    ordering_fields = ["date", "id"]
    ordering = ["date", "id"]
    write_roles = (PortalRole.ADMIN,)
    write_refusal = ONLY_ADMINS

    def create(self, request, *args, **kwargs):
        shape = self.create_serializer_class(data=request.data)
        shape.is_valid(raise_exception=True)
        data = shape.validated_data
        rows = recorded_or_refused(
            lambda: succession_record(
                user=request.user,
                body=self.body,
                change=SuccessionChange(
                    predecessor=data["predecessor"],
                    successors=data["successors"],
                    date=data["date"],
                    kind=data["kind"],
                    successors_start=data["successors_start"],
                    note=data["note"],
                ),
                reason=data["reason"],
                source=shape.stated_source(),
            )
        )
        return Response(
            self.get_serializer_class()(rows, many=True).data, status=status.HTTP_201_CREATED
        )


RELATED = ("predecessor", "successor", "source_document")


@extend_schema_view(
    create=extend_schema(
        request=BoardSuccessionCreateSerializer,
        responses={201: BoardSuccessionSerializer(many=True)},
    )
)
class BoardSuccessionViewSet(SuccessionViewSet):
    """Which boards replaced which (``board-successions/``); filters ``board`` (either side)."""

    body = "board"
    queryset = BoardSuccession.objects.select_related(*RELATED)
    serializer_class = BoardSuccessionSerializer
    create_serializer_class = BoardSuccessionCreateSerializer
    filterset_class = BoardSuccessionFilterSet


@extend_schema_view(
    create=extend_schema(
        request=OrganisationSuccessionCreateSerializer,
        responses={201: OrganisationSuccessionSerializer(many=True)},
    )
)
class OrganisationSuccessionViewSet(SuccessionViewSet):
    """Which organisations replaced which; filters ``organisation`` (either side)."""

    body = "organisation"
    queryset = OrganisationSuccession.objects.select_related(*RELATED)
    serializer_class = OrganisationSuccessionSerializer
    create_serializer_class = OrganisationSuccessionCreateSerializer
    filterset_class = OrganisationSuccessionFilterSet
