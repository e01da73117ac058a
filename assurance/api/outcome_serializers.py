from rest_framework import serializers

from icsportal.api.serializers import iso_datetime, source_field
from metrics.api.serializers import MetricBriefSerializer
from places.api.serializers import PlaceBriefSerializer, PrioritySerializer
from places.models import Outcome

from ..models import FinanceFigure, FinancePrinciple, PriorityMetric, PriorityOutcome


class OutcomeBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outcome
        fields = ["id", "key", "code", "number", "title"]


class PriorityOutcomeLinkSerializer(serializers.ModelSerializer):
    """That a priority serves an outcome: why, on what basis, who linked it and when."""

    outcome = OutcomeBriefSerializer(read_only=True)
    created_by = serializers.SlugRelatedField(
        read_only=True, slug_field="username", allow_null=True
    )
    source = source_field()

    class Meta:
        model = PriorityOutcome
        fields = ["id", "outcome", "basis", "reason", "created_by", "created_at", "source"]


class PriorityMetricLinkSerializer(serializers.ModelSerializer):
    """That a metric evidences a priority: why, on what basis, who linked it and when."""

    metric = MetricBriefSerializer(read_only=True)
    created_by = serializers.SlugRelatedField(
        read_only=True, slug_field="username", allow_null=True
    )
    source = source_field()

    class Meta:
        model = PriorityMetric
        fields = ["id", "metric", "basis", "reason", "created_by", "created_at", "source"]


class PriorityWithLinksSerializer(PrioritySerializer):
    """A priority with the outcomes it serves and the metrics that evidence it (read only:
    links are made on the priority's page, where the reason is asked for)."""

    outcome_links = PriorityOutcomeLinkSerializer(many=True, read_only=True)
    metric_links = PriorityMetricLinkSerializer(many=True, read_only=True)

    class Meta(PrioritySerializer.Meta):
        fields = [*PrioritySerializer.Meta.fields, "outcome_links", "metric_links"]


class OutcomeSerializer(serializers.ModelSerializer):
    statement_citation = serializers.CharField(read_only=True)
    priorities = serializers.SerializerMethodField()
    source = source_field()

    class Meta:
        model = Outcome
        fields = [
            "id",
            "key",
            "code",
            "number",
            "title",
            "statement",
            "statement_citation",
            "note",
            "priorities",
            "source",
        ]

    def get_priorities(self, outcome) -> list[dict]:
        """The priorities linked to the outcome, each with why, by whom and when, and the
        metrics that evidence it with theirs."""
        return [
            {
                "priority": link.priority_id,
                "place": link.priority.place.slug,
                "title": link.priority.title,
                "basis": link.basis,
                "reason": link.reason,
                "created_by": link.created_by.get_username() if link.created_by else None,
                "created_at": iso_datetime(link.created_at),
                "metrics": [m.metric.code for m in link.priority.metric_links.all()],
                "metric_links": PriorityMetricLinkSerializer(
                    link.priority.metric_links.all(), many=True
                ).data,
            }
            for link in outcome.priority_links.all()
        ]


class FinanceFigureSerializer(serializers.ModelSerializer):
    place = PlaceBriefSerializer(read_only=True, allow_null=True)
    organisation = serializers.SlugRelatedField(read_only=True, slug_field="key", allow_null=True)
    parent = serializers.SlugRelatedField(read_only=True, slug_field="key", allow_null=True)
    source = source_field()

    class Meta:
        model = FinanceFigure
        fields = [
            "id",
            "key",
            "kind",
            "label",
            "area",
            "place",
            "organisation",
            "parent",
            "value",
            "unit",
            "as_written",
            "qualifier",
            "period",
            "basis",
            "note",
            "source",
        ]


class FinancePrincipleSerializer(serializers.ModelSerializer):
    source = source_field()

    class Meta:
        model = FinancePrinciple
        fields = ["id", "number", "text", "source"]


__all__ = [
    "FinanceFigureSerializer",
    "FinancePrincipleSerializer",
    "OutcomeSerializer",
    "PriorityMetricLinkSerializer",
    "PriorityOutcomeLinkSerializer",
    "PriorityWithLinksSerializer",
]
