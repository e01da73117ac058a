from django.db.models import Prefetch

from icsportal.api.views import PortalViewSet

from ..filtersets import CommitmentFilterSet, RiskFilterSet
from ..models import RiskEscalation, RiskReview
from ..risk_selectors import commitments_for_pages, risks_for_pages
from .risk_serializers import CommitmentSerializer, RiskDetailSerializer, RiskSerializer


class RiskViewSet(PortalViewSet):
    # owner_board, place, metric_links, actions, open_escalations: see risks_for_pages
    queryset = risks_for_pages()
    serializer_class = RiskSerializer
    filterset_class = RiskFilterSet
    ordering_fields = ["key", "title", "score_value", "review_date", "id"]
    ordering = ["key"]
    lookup_field = "key"

    def get_serializer_class(self):
        return RiskDetailSerializer if self.action == "retrieve" else RiskSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            # escalations and reviews: the whole record, on the detail only
            queryset = queryset.prefetch_related(
                Prefetch(
                    "escalations",
                    queryset=RiskEscalation.objects.select_related(
                        "board", "escalated_by", "de_escalated_by"
                    ),
                    to_attr="all_escalations",
                ),
                Prefetch("reviews", queryset=RiskReview.objects.select_related("reviewed_by")),
            )
        return queryset


class CommitmentViewSet(PortalViewSet):
    queryset = commitments_for_pages()
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilterSet
    ordering_fields = ["programme", "due_date", "status", "id", "order"]
    ordering = ["order", "id"]
    lookup_field = "key"
