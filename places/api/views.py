from icsportal.api.views import PortalViewSet

from ..filtersets import DocumentFilterSet, PlaceFilterSet, SystemFilterSet
from ..models import Document, Place, System
from .serializers import DocumentSerializer, PlaceSerializer, SystemSerializer


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
