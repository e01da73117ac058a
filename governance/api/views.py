from icsportal.api.views import PortalViewSet

from ..filtersets import BoardFilterSet, MembershipFilterSet, OrganisationFilterSet, PersonFilterSet
from ..models import Board, Membership, Organisation, Person
from .serializers import (
    BoardDetailSerializer,
    BoardSerializer,
    MembershipSerializer,
    OrganisationSerializer,
    PersonSerializer,
)


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


class MembershipViewSet(PortalViewSet):
    queryset = Membership.objects.select_related(
        "board", "person", "on_behalf_of", "source_document"
    )
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    ordering_fields = ["start_date", "end_date", "role", "id", "modified_at"]
    ordering = ["board__name", "role", "id"]
