from django.db.models import Prefetch

from icsportal.api.views import PortalViewSet

from ..filtersets import FinanceFigureFilterSet, FinancePrincipleFilterSet, OutcomeFilterSet
from ..models import FinanceFigure, FinancePrinciple, Outcome, PriorityMetric, PriorityOutcome
from .outcome_serializers import (
    FinanceFigureSerializer,
    FinancePrincipleSerializer,
    OutcomeSerializer,
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
