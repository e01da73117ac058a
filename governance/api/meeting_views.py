"""Meetings, agenda items, attendance, interests, declarations and actions in the API.

Every portal role reads public business; private meetings and items (and the attendance,
declarations and actions that belong to them) only the board's members, secretaries and admins.
The board's secretaries and admins write: POST creates, PATCH changes a row read at the version
its ETag names (``If-Match``), as for memberships.
"""

import re

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.response import Response

from icsportal.api.views import PortalViewSet
from icsportal.roles import PortalRole

from .. import meetings as services
from ..filtersets import (
    ActionFilterSet,
    AgendaItemFilterSet,
    AttendanceFilterSet,
    DeclarationFilterSet,
    InterestFilterSet,
    MeetingFilterSet,
)
from ..meeting_selectors import items_for, meetings_for
from ..models import Action, AgendaItem, Attendance, Declaration, Interest, Meeting
from ..permissions import can_edit_board, private_board_ids
from .meeting_serializers import (
    ActionChangeSerializer,
    ActionSerializer,
    ActionWriteSerializer,
    AgendaItemChangeSerializer,
    AgendaItemSerializer,
    AgendaItemWriteSerializer,
    AttendanceChangeSerializer,
    AttendanceSerializer,
    AttendanceWriteSerializer,
    DeclarationChangeSerializer,
    DeclarationSerializer,
    DeclarationWriteSerializer,
    InterestChangeSerializer,
    InterestSerializer,
    InterestWriteSerializer,
    MeetingChangeSerializer,
    MeetingSerializer,
    MeetingWriteSerializer,
)


class RowPreconditionRequired(APIException):
    status_code = 428
    default_detail = "Send If-Match with the ETag from your last GET of this row to change it."
    default_code = "precondition_required"


class RowPreconditionFailed(APIException):
    status_code = 412
    default_detail = "This row has changed since you read it; GET it again."
    default_code = "precondition_failed"


def row_etag(obj) -> str:
    """A strong ETag that changes with every write: the row id and its version."""
    return f'"{obj.pk}.{obj.version}"'


_ROW_ETAG = re.compile(r'"([0-9]+)\.([0-9]+)"', re.ASCII)


def row_expected_version(request, pk: int) -> int:
    """The version the client read, from If-Match (strong comparison, RFC 9110 13.1.1)."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        raise RowPreconditionRequired()
    tag = _ROW_ETAG.fullmatch(header)
    if tag is None or tag[1] != str(pk):
        raise RowPreconditionFailed("The ETag in If-Match is not one of this row's.")
    return int(tag[2])


ROW_IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    required=True,
    description="The ETag from the row's last GET.",
)
ROW_CONFLICTS = {
    412: OpenApiResponse(description="The ETag is stale: the row changed since."),
    428: OpenApiResponse(description="If-Match is missing."),
}


class MeetingRecordViewSet(mixins.CreateModelMixin, PortalViewSet):
    """Reads for every role; POST and PATCH (with If-Match) for the board's editors."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    write_roles = (PortalRole.BOARD_SECRETARY, PortalRole.ADMIN)
    write_refusal = services.ONLY_MEETING_EDITORS
    write_serializer_class = None
    change_serializer_class = None
    model = None
    # The keyword naming the row in the update service, and the path to its board's id.
    update_argument = ""
    board_path = "board_id"

    @staticmethod
    def create_row(actor, **data):
        raise NotImplementedError

    @staticmethod
    def update_row(actor, **data):
        raise NotImplementedError

    def board_id_of(self, obj) -> int:
        value = obj
        for part in self.board_path.split("."):
            value = getattr(value, part)
        return value

    def require_editor(self, request, obj) -> None:
        # Before the precondition checks, so nobody learns more about a board they cannot edit.
        if not can_edit_board(request.user, self.board_id_of(obj)):
            raise PermissionDenied(self.write_refusal)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        response = Response(self.get_serializer(obj).data)
        response["ETag"] = row_etag(obj)
        return response

    def _written(self, obj, code=status.HTTP_200_OK) -> Response:
        obj = self.get_queryset().get(pk=obj.pk)
        response = Response(self.get_serializer(obj).data, status=code)
        response["ETag"] = row_etag(obj)
        return response

    def create(self, request, *args, **kwargs):
        data = self.write_serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        obj = self.create_row(request.user, **data.validated_data)
        return self._written(obj, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        obj = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        self.require_editor(request, obj)
        version = row_expected_version(request, obj.pk)
        data = self.change_serializer_class(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            obj = self.update_row(
                request.user,
                **{self.update_argument: obj.pk},
                expected_version=version,
                **data.validated_data,
            )
        except services.VersionConflict as exc:
            raise RowPreconditionFailed() from exc
        return self._written(obj)


def _schema(read, write, change):
    """The schema of a record viewset's create and partial update."""
    return extend_schema_view(
        create=extend_schema(request=write, responses={201: read}),
        partial_update=extend_schema(
            request=change, parameters=[ROW_IF_MATCH], responses={200: read, **ROW_CONFLICTS}
        ),
    )


@_schema(MeetingSerializer, MeetingWriteSerializer, MeetingChangeSerializer)
class MeetingViewSet(MeetingRecordViewSet):
    """Meetings of boards; private meetings only for the board's members and editors."""

    queryset = Meeting.objects.select_related("board")
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet
    write_serializer_class = MeetingWriteSerializer
    change_serializer_class = MeetingChangeSerializer
    ordering_fields = ["start", "id", "modified_at"]
    ordering = ["start", "id"]
    update_argument = "meeting"
    create_row = staticmethod(lambda actor, **data: services.meeting_create(actor=actor, **data))
    update_row = staticmethod(lambda actor, **data: services.meeting_update(actor=actor, **data))

    def get_queryset(self):
        return meetings_for(self.request.user).select_related("board")


@_schema(AgendaItemSerializer, AgendaItemWriteSerializer, AgendaItemChangeSerializer)
class AgendaItemViewSet(MeetingRecordViewSet):
    """Agenda items; private ones (and those of private meetings) only for members and editors."""

    queryset = AgendaItem.objects.all()
    serializer_class = AgendaItemSerializer
    filterset_class = AgendaItemFilterSet
    write_serializer_class = AgendaItemWriteSerializer
    change_serializer_class = AgendaItemChangeSerializer
    ordering_fields = ["number", "id", "modified_at"]
    ordering = ["meeting", "number", "id"]
    update_argument = "item"
    board_path = "meeting.board_id"
    create_row = staticmethod(
        lambda actor, **data: services.agenda_item_create(actor=actor, **data)
    )
    update_row = staticmethod(
        lambda actor, **data: services.agenda_item_update(actor=actor, **data)
    )

    def get_queryset(self):
        # organisations, papers: listed on each row
        return (
            items_for(self.request.user)
            # meeting__board: each paper's address names the board
            .select_related("meeting__board")
            .prefetch_related("organisations", "papers")
        )


def visible(queryset, user, meeting_path: str, item_path: str | None = None):
    """``queryset`` cut to rows of public meetings (and public or no items), or of the boards
    whose private business the user reads."""
    allowed = private_board_ids(user)
    if allowed is None:
        return queryset
    public = Q(**{f"{meeting_path}__is_public": True})
    if item_path:
        public &= Q(**{f"{item_path}__is_public": True}) | Q(**{f"{item_path}__isnull": True})
    return queryset.filter(public | Q(**{f"{meeting_path}__board_id__in": allowed}))


@_schema(AttendanceSerializer, AttendanceWriteSerializer, AttendanceChangeSerializer)
class AttendanceViewSet(MeetingRecordViewSet):
    """Attendance per seat at each meeting."""

    queryset = Attendance.objects.all()
    serializer_class = AttendanceSerializer
    filterset_class = AttendanceFilterSet
    write_serializer_class = AttendanceWriteSerializer
    change_serializer_class = AttendanceChangeSerializer
    ordering_fields = ["id", "modified_at"]
    ordering = ["meeting", "id"]
    update_argument = "attendance"
    board_path = "meeting.board_id"
    create_row = staticmethod(lambda actor, **data: services.attendance_record(actor=actor, **data))
    update_row = staticmethod(lambda actor, **data: services.attendance_update(actor=actor, **data))

    def get_queryset(self):
        queryset = Attendance.objects.select_related(
            "meeting", "membership__person", "membership__on_behalf_of"
        )
        return visible(queryset, self.request.user, "meeting")


@_schema(InterestSerializer, InterestWriteSerializer, InterestChangeSerializer)
class InterestViewSet(MeetingRecordViewSet):
    """Registers of interests (public, as NHS bodies publish them); the secretaries of the
    person's boards and admins write."""

    queryset = Interest.objects.select_related("person", "organisation")
    serializer_class = InterestSerializer
    filterset_class = InterestFilterSet
    write_serializer_class = InterestWriteSerializer
    change_serializer_class = InterestChangeSerializer
    ordering_fields = ["declared_on", "id", "modified_at"]
    ordering = ["person__name", "id"]
    update_argument = "interest"
    write_refusal = "Only the secretaries of this person's boards and administrators can."
    create_row = staticmethod(lambda actor, **data: services.interest_create(actor=actor, **data))
    update_row = staticmethod(lambda actor, **data: services.interest_update(actor=actor, **data))

    def require_editor(self, request, obj) -> None:
        if not services.can_edit_person(request.user, obj.person_id):
            raise PermissionDenied(self.write_refusal)


@_schema(DeclarationSerializer, DeclarationWriteSerializer, DeclarationChangeSerializer)
class DeclarationViewSet(MeetingRecordViewSet):
    """Interests declared at meetings, per agenda item, and the action taken."""

    queryset = Declaration.objects.all()
    serializer_class = DeclarationSerializer
    filterset_class = DeclarationFilterSet
    write_serializer_class = DeclarationWriteSerializer
    change_serializer_class = DeclarationChangeSerializer
    ordering_fields = ["id", "modified_at"]
    ordering = ["item__meeting", "item__number", "id"]
    update_argument = "declaration"
    board_path = "item.meeting.board_id"
    create_row = staticmethod(
        lambda actor, **data: services.declaration_record(actor=actor, **data)
    )
    update_row = staticmethod(
        lambda actor, **data: services.declaration_update(actor=actor, **data)
    )

    def get_queryset(self):
        queryset = Declaration.objects.select_related("item__meeting", "person")
        return visible(queryset, self.request.user, "item__meeting", "item")


@_schema(ActionSerializer, ActionWriteSerializer, ActionChangeSerializer)
class ActionViewSet(MeetingRecordViewSet):
    """Actions agreed by boards, with their owners, due dates and status."""

    queryset = Action.objects.all()
    serializer_class = ActionSerializer
    filterset_class = ActionFilterSet
    write_serializer_class = ActionWriteSerializer
    change_serializer_class = ActionChangeSerializer
    ordering_fields = ["due_date", "id", "modified_at"]
    ordering = ["due_date", "id"]
    update_argument = "action"
    create_row = staticmethod(lambda actor, **data: services.action_create(actor=actor, **data))
    update_row = staticmethod(lambda actor, **data: services.action_update(actor=actor, **data))

    def get_queryset(self):
        # An action of no meeting is public; one from a private meeting or item is not.
        allowed = private_board_ids(self.request.user)
        queryset = Action.objects.select_related("board")
        if allowed is None:
            return queryset
        public = (Q(meeting__isnull=True) | Q(meeting__is_public=True)) & (
            Q(item__isnull=True) | Q(item__is_public=True)
        )
        return queryset.filter(public | Q(board_id__in=allowed))
