from rest_framework import serializers

from icsportal.api.serializers import source_field

from ..models import FinanceFigure, FinancePrinciple, Outcome, PriorityMetric, PriorityOutcome
from .serializers import PlaceBriefSerializer


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
        """The priorities linked to the outcome, each with why and by whom."""
        return [
            {
                "priority": link.priority_id,
                "place": link.priority.place.slug,
                "title": link.priority.title,
                "basis": link.basis,
                "reason": link.reason,
                "metrics": [m.metric.code for m in link.priority.metric_links.all()],
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
    "PriorityMetric",
    "PriorityOutcome",
]
