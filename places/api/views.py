from icsportal.api.views import PortalViewSet

from ..filtersets import (
    DataQualityFlagFilterSet,
    DocumentFilterSet,
    FactFilterSet,
    PlaceFilterSet,
    SystemFilterSet,
)
from ..models import DataQualityFlag, Document, Fact, Place, System
from .serializers import (
    DataQualityFlagSerializer,
    DocumentSerializer,
    FactSerializer,
    PlaceSerializer,
    SystemSerializer,
)


class SystemViewSet(PortalViewSet):
    queryset = System.objects.select_related("source_document")
    serializer_class = SystemSerializer
    filterset_class = SystemFilterSet
    ordering_fields = ["name", "id"]
    ordering = ["name"]
    lookup_field = "slug"


class PlaceViewSet(PortalViewSet):
    # population: the headline population fact and its citation
    queryset = Place.objects.select_related("system", "source_document").with_headline_population()
    serializer_class = PlaceSerializer
    filterset_class = PlaceFilterSet
    ordering_fields = ["name", "id"]
    ordering = ["name"]
    lookup_field = "slug"


class DocumentViewSet(PortalViewSet):
    queryset = Document.objects.all()
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilterSet
    ordering_fields = ["key", "title", "id"]
    ordering = ["key"]
    lookup_field = "key"


class FactViewSet(PortalViewSet):
    """Every cited fact. Routed by governance.api, whose subclass adds each workstream's leads
    (the organisations, boards and posts are governance's)."""

    # system, place: their brief forms; source_document: the citation
    queryset = Fact.objects.select_related("system", "place", "source_document")
    serializer_class = FactSerializer
    filterset_class = FactFilterSet
    ordering_fields = ["key", "kind", "topic", "year", "date", "id"]
    ordering = ["system__name", "place__name", "kind", "order", "key"]
    lookup_field = "key"


class DataQualityFlagViewSet(PortalViewSet):
    # system: its brief form; source_document: the citation
    queryset = DataQualityFlag.objects.select_related("system", "source_document")
    serializer_class = DataQualityFlagSerializer
    filterset_class = DataQualityFlagFilterSet
    ordering_fields = ["key", "id"]
    ordering = ["key"]
    lookup_field = "key"
