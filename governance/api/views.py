import re

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from icsportal.api.parsers import PortalJSONParser
from icsportal.api.schema import LINKS
from icsportal.api.views import PortalViewSet
from icsportal.roles import PortalRole
from places.api.views import FactViewSet as PlacesFactViewSet

from ..filtersets import BoardFilterSet, MembershipFilterSet, OrganisationFilterSet, PersonFilterSet
from ..models import Board, Membership, Organisation, Person, WorkstreamLead
from ..permissions import ONLY_EDITORS, can_edit_board
from ..services import StaleVersion, membership_create, membership_end, membership_update
from .serializers import (
    BoardDetailSerializer,
    BoardSerializer,
    FactWithLeadsSerializer,
    MembershipChangeSerializer,
    MembershipEndSerializer,
    MembershipSerializer,
    MembershipWriteSerializer,
    OrganisationSerializer,
    PersonSerializer,
)


class FactViewSet(PlacesFactViewSet):
    """Every cited fact (filters: system, place, kind, topic, document, date, ``q``); a
    workstream's with its leads. Served from governance, where a workstream meets the
    organisations, boards and posts that lead it."""

    # leads: each workstream's, with the organisation, board or person named and the citation
    queryset = PlacesFactViewSet.queryset.prefetch_related(
        Prefetch(
            "leads",
            queryset=WorkstreamLead.objects.select_related(
                "organisation", "board", "person", "source_document"
            ),
        )
    )
    serializer_class = FactWithLeadsSerializer


class OrganisationViewSet(PortalViewSet):
    # places: listed by slug on each row
    queryset = Organisation.objects.select_related("source_document").prefetch_related("places")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet
    ordering_fields = ["name", "abbreviation", "kind", "id"]
    ordering = ["name", "id"]


class BoardViewSet(PortalViewSet):
    # reports_to: listed by slug on each row
    queryset = Board.objects.select_related("place", "source_document").prefetch_related(
        "reports_to"
    )
    serializer_class = BoardSerializer
    filterset_class = BoardFilterSet
    ordering_fields = ["name", "level", "status", "id"]
    ordering = ["level", "name", "id"]
    lookup_field = "slug"

    def get_serializer_class(self):
        return BoardDetailSerializer if self.action == "retrieve" else BoardSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            # required_organisations: shown on the detail only
            queryset = queryset.prefetch_related("required_organisations")
        return queryset


class PersonViewSet(PortalViewSet):
    queryset = Person.objects.select_related("source_document")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    ordering_fields = ["name", "id"]
    ordering = ["name", "id"]
    lookup_field = "key"


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = "Send If-Match with the membership's ETag (from GET) to change it."
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = 412
    default_detail = "The membership has changed since you read it; GET it again."
    default_code = "precondition_failed"


def etag(membership: Membership) -> str:
    """A strong ETag that changes with every write: the row id and its version."""
    return f'"{membership.pk}.{membership.version}"'


# One strong entity tag as etag() writes it: "<id>.<version>", ASCII digits only.
_STRONG_ETAG = re.compile(r'"([0-9]+)\.([0-9]+)"', re.ASCII)
# A member of an If-Match list: everything up to a comma that is not inside quotes.
_LIST_MEMBER = re.compile(r'(?:[^,"]|"[^"]*")+')


def _listed_versions(header: str, membership_id: int) -> set[int]:
    """The versions of this membership named by the strong tags of an If-Match list."""
    tags = (_STRONG_ETAG.fullmatch(m.strip()) for m in _LIST_MEMBER.findall(header))
    return {int(tag[2]) for tag in tags if tag is not None and tag[1] == str(membership_id)}


def expected_version(request, membership: Membership) -> int:
    """The version the client read, from If-Match; 428 when absent, 412 when none matches.

    If-Match is a list (RFC 9110 section 13.1.1): it matches when any listed tag matches by the
    strong comparison — a weak tag (W/"...") never does, since it does not promise the
    byte-for-byte version a write must start from — and "*" matches the membership as it is.
    The service compares the version again under its row lock, so a write that races this read
    is still refused (412).
    """
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired()
    if header == "*":
        return membership.version
    versions = _listed_versions(header, membership.pk)
    if not versions:
        raise PreconditionFailed("The ETag in If-Match is not one of this membership's.")
    # None current: any listed version makes the service refuse the write as stale.
    return membership.version if membership.version in versions else max(versions)


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    required=True,
    description="The ETag from the membership's last GET (a list of strong ETags, or *).",
)
CONFLICTS = {
    412: OpenApiResponse(description="The ETag is stale: the membership changed since."),
    428: OpenApiResponse(description="If-Match is missing."),
}


def _membership_link(operation_id: str, *, body: str = "#/id", if_match: bool = False) -> dict:
    """An OpenAPI link to one membership's operation, from a response holding its id (and, for
    a change, its ETag)."""
    parameters = {"id": f"$response.body{body}"}
    if if_match:
        parameters["header.If-Match"] = "$response.header.ETag"
    return {"operationId": operation_id, "parameters": parameters}


READ = _membership_link("v1_memberships_retrieve")
CHANGE = _membership_link("v1_memberships_partial_update", if_match=True)
END = _membership_link("v1_memberships_end_create", if_match=True)


@extend_schema_view(
    list=extend_schema(
        extensions={
            LINKS: {
                "200": {
                    "ReadFirstMembership": _membership_link(
                        READ["operationId"], body="#/results/0/id"
                    )
                }
            }
        }
    ),
)
class MembershipViewSet(mixins.CreateModelMixin, PortalViewSet):
    """Seats on boards; a board's secretaries (and admins) add, change and end them."""

    queryset = Membership.objects.select_related(
        "board", "person", "on_behalf_of", "source_document"
    )
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    ordering_fields = ["start_date", "end_date", "role", "id", "modified_at"]
    ordering = ["board__name", "role", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    # JSON only: a form body cannot say null, so "no end date" and "no person" would be lost.
    parser_classes = [PortalJSONParser]
    write_roles = (PortalRole.BOARD_SECRETARY, PortalRole.ADMIN)
    write_refusal = ONLY_EDITORS

    @extend_schema(extensions={LINKS: {"200": {"ChangeMembership": CHANGE, "EndMembership": END}}})
    def retrieve(self, request, *args, **kwargs):
        membership = self.get_object()
        response = Response(self.get_serializer(membership).data)
        response["ETag"] = etag(membership)
        return response

    @staticmethod
    def _require_editor(request, membership: Membership) -> None:
        # Before the precondition checks, so nobody learns more about a board they cannot edit.
        if not can_edit_board(request.user, membership.board_id):
            raise PermissionDenied(ONLY_EDITORS)

    def _written(self, membership: Membership, code=status.HTTP_200_OK) -> Response:
        membership = self.get_queryset().get(pk=membership.pk)
        response = Response(MembershipSerializer(membership).data, status=code)
        response["ETag"] = etag(membership)
        return response

    @extend_schema(
        request=MembershipWriteSerializer,
        responses={201: MembershipSerializer},
        extensions={
            LINKS: {
                "201": {"ReadMembership": READ, "ChangeMembership": CHANGE, "EndMembership": END}
            }
        },
    )
    def create(self, request, *args, **kwargs):
        data = MembershipWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_create(actor=request.user, **data.validated_data)
        return self._written(membership, status.HTTP_201_CREATED)

    @extend_schema(
        request=MembershipChangeSerializer,
        parameters=[IF_MATCH],
        responses={200: MembershipSerializer, **CONFLICTS},
        extensions={
            LINKS: {
                "200": {"ReadMembership": READ, "ChangeMembership": CHANGE, "EndMembership": END}
            }
        },
    )
    def partial_update(self, request, *args, **kwargs):
        membership = get_object_or_404(Membership, pk=kwargs["pk"])
        self._require_editor(request, membership)
        version = expected_version(request, membership)
        data = MembershipChangeSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "board" in request.data:
            raise ValidationError(
                {"board": "A membership cannot move to another board; end it and add a new one."}
            )
        try:
            membership = membership_update(
                actor=request.user,
                membership=membership.pk,
                expected_version=version,
                **data.validated_data,
            )
        except StaleVersion as exc:
            raise PreconditionFailed() from exc
        return self._written(membership)

    @extend_schema(
        request=MembershipEndSerializer,
        parameters=[IF_MATCH],
        responses={200: MembershipSerializer, **CONFLICTS},
        extensions={LINKS: {"200": {"ReadMembership": READ}}},
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End a membership on a date, for a reason."""
        membership = get_object_or_404(Membership, pk=pk)
        self._require_editor(request, membership)
        version = expected_version(request, membership)
        data = MembershipEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            membership = membership_end(
                actor=request.user,
                membership=membership.pk,
                expected_version=version,
                **data.validated_data,
            )
        except StaleVersion as exc:
            raise PreconditionFailed() from exc
        return self._written(membership)
