from django.db.models import Prefetch

from icsportal.api.views import PortalViewSet
from places.filtersets import OutcomeFilterSet, PriorityFilterSet
from places.models import Outcome, Priority

from ..filtersets import FinanceFigureFilterSet, FinancePrincipleFilterSet
from ..models import FinanceFigure, FinancePrinciple, PriorityMetric, PriorityOutcome
from .outcome_serializers import (
    FinanceFigureSerializer,
    FinancePrincipleSerializer,
    OutcomeSerializer,
    PriorityWithLinksSerializer,
)


class OutcomeViewSet(PortalViewSet):
    # priority_links → priority → place, metric_links: the linked priorities on each row;
    # created_by: who linked each; source_document: a metric link's citation
    queryset = Outcome.objects.select_related(
        "source_document", "statement_document"
    ).prefetch_related(
        Prefetch(
            "priority_links",
            queryset=PriorityOutcome.objects.select_related(
                "priority__place", "created_by"
            ).prefetch_related(
                Prefetch(
                    "priority__metric_links",
                    queryset=PriorityMetric.objects.select_related(
                        "metric", "created_by", "source_document"
                    ),
                )
            ),
        )
    )
    serializer_class = OutcomeSerializer
    filterset_class = OutcomeFilterSet
    ordering_fields = ["number", "id"]
    ordering = ["system", "number"]
    lookup_field = "key"


class FinanceFigureViewSet(PortalViewSet):
    """The finance figures: underlying positions, the efficiency requirement and its split,
    savings opportunities and Place efficiency targets, each with its source. The documents'
    other finance statements and figures are facts of kind "finance", in
    `/api/v1/facts/?kind=finance`."""

    queryset = FinanceFigure.objects.select_related(
        "source_document", "place", "organisation", "parent"
    )
    serializer_class = FinanceFigureSerializer
    filterset_class = FinanceFigureFilterSet
    ordering_fields = ["kind", "order", "id"]
    ordering = ["kind", "order", "id"]
    lookup_field = "key"


class FinancePrincipleViewSet(PortalViewSet):
    queryset = FinancePrinciple.objects.select_related("source_document")
    serializer_class = FinancePrincipleSerializer
    filterset_class = FinancePrincipleFilterSet
    ordering_fields = ["number", "id"]
    ordering = ["system", "number"]


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
