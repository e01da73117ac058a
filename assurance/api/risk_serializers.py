from rest_framework import serializers

from governance.api.serializers import BoardBriefSerializer
from icsportal.api.serializers import source_field
from places.api.serializers import PlaceBriefSerializer

from ..models import Commitment, MitigatingAction, Risk, RiskEscalation, RiskReview


class MitigatingActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MitigatingAction
        fields = ["id", "description", "owner", "due_date", "status", "completed_on"]


class RiskEscalationSerializer(serializers.ModelSerializer):
    board = BoardBriefSerializer(read_only=True)
    escalated_by = serializers.SlugRelatedField(read_only=True, slug_field="username")
    de_escalated_by = serializers.SlugRelatedField(read_only=True, slug_field="username")

    class Meta:
        model = RiskEscalation
        fields = [
            "id",
            "board",
            "escalated_at",
            "escalated_by",
            "reason",
            "de_escalated_at",
            "de_escalated_by",
            "de_escalation_reason",
        ]


class RiskReviewSerializer(serializers.ModelSerializer):
    reviewed_by = serializers.SlugRelatedField(read_only=True, slug_field="username")

    class Meta:
        model = RiskReview
        fields = [
            "id",
            "reviewed_at",
            "reviewed_by",
            "decision",
            "reason",
            "likelihood_before",
            "impact_before",
            "likelihood_after",
            "impact_after",
            "evidence",
        ]


class RiskSerializer(serializers.ModelSerializer):
    place = PlaceBriefSerializer(read_only=True, allow_null=True)
    owner_board = BoardBriefSerializer(read_only=True, allow_null=True)
    score = serializers.IntegerField(source="score_value", read_only=True, allow_null=True)
    rating = serializers.CharField(source="rating_value", read_only=True)
    metrics = serializers.SerializerMethodField()
    actions = MitigatingActionSerializer(many=True, read_only=True)
    escalated_to = serializers.SerializerMethodField()
    source = source_field()

    class Meta:
        model = Risk
        fields = [
            "id",
            "key",
            "title",
            "description",
            "place",
            "owner_board",
            "likelihood",
            "impact",
            "score",
            "rating",
            "status",
            "review_date",
            "identified",
            "note",
            "metrics",
            "actions",
            "escalated_to",
            "modified_at",
            "source",
        ]

    def get_metrics(self, risk) -> list[str]:
        return [link.metric.code for link in risk.metric_links.all()]

    def get_escalated_to(self, risk) -> str | None:
        """The slug of the board the risk is escalated to now, or null."""
        return risk.open_escalations[0].board.slug if risk.open_escalations else None


class RiskDetailSerializer(RiskSerializer):
    escalations = RiskEscalationSerializer(many=True, read_only=True, source="all_escalations")
    reviews = RiskReviewSerializer(many=True, read_only=True)

    class Meta(RiskSerializer.Meta):
        fields = [*RiskSerializer.Meta.fields, "escalations", "reviews"]


class CommitmentSerializer(serializers.ModelSerializer):
    owner_board = BoardBriefSerializer(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()
    source = source_field()

    class Meta:
        model = Commitment
        fields = [
            "id",
            "key",
            "programme",
            "programme_slug",
            "text",
            "target_year",
            "year_qualifier",
            "due_date",
            "overdue",
            "owner_board",
            "owner_note",
            "status",
            "status_note",
            "figures",
            "note",
            "modified_at",
            "source",
        ]

    def get_overdue(self, commitment) -> bool:
        return commitment.is_overdue()
