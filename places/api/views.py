from django.db.models import Prefetch

from icsportal.api.views import PortalViewSet

from ..filtersets import DocumentFilterSet, PlaceFilterSet, PriorityFilterSet, SystemFilterSet
from ..models import Document, Place, Priority, PriorityMetric, PriorityOutcome, System
from .outcome_serializers import PriorityWithLinksSerializer
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


class PriorityViewSet(PortalViewSet):
    # outcome_links, metric_links: each priority's links with who made them and their sources
    queryset = Priority.objects.select_related("place", "source_document").prefetch_related(
        Prefetch(
            "outcome_links",
            queryset=PriorityOutcome.objects.select_related(
                "outcome", "created_by", "source_document"
            ),
        ),
        Prefetch(
            "metric_links",
            queryset=PriorityMetric.objects.select_related(
                "metric", "created_by", "source_document"
            ),
        ),
    )
    serializer_class = PriorityWithLinksSerializer
    filterset_class = PriorityFilterSet
    ordering_fields = ["title", "status", "id", "order"]
    ordering = ["place__name", "order", "id"]


class DocumentViewSet(PortalViewSet):
    queryset = Document.objects.all()
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilterSet
    ordering_fields = ["key", "title", "id"]
    ordering = ["key"]
    lookup_field = "key"
