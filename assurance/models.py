"""What joins the layers: the risk register and commitments, priorities' links to outcomes and
metrics, and the system's finance.

Every model keeps the table (and history table) it had in the app it came from, so moving it
here copied no data (see ``migrations/0001_initial.py``).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from governance.models import Board
from places.links import keyed_url, system_url
from places.models import (
    Outcome,
    Place,
    Priority,
    Sourced,
    System,
    key_per_system,
    sourced_constraint,
)

from .choices import (
    ActionStatus,
    CommitmentStatus,
    FinanceKind,
    LinkBasis,
    ReviewDecision,
    RiskRating,
    RiskStatus,
)
from .ratings import rating_case, rating_for

# -- risks ---------------------------------------------------------------------------------------

SCORE_RANGE = Q(likelihood__isnull=True) | Q(likelihood__gte=1, likelihood__lte=5)
IMPACT_RANGE = Q(impact__isnull=True) | Q(impact__gte=1, impact__lte=5)


class EscalationRoute(Sourced):
    """The board a system's red-rated risks escalate to, as its documents name it."""

    system = models.OneToOneField(System, on_delete=models.CASCADE, related_name="escalation_route")
    board = models.ForeignKey(Board, on_delete=models.RESTRICT, related_name="escalation_routes")
    text = models.TextField(blank=True)
    history = HistoricalRecords(table_name="governance_historicalescalationroute")

    class Meta:
        db_table = "governance_escalationroute"
        ordering = ["system"]
        constraints = [sourced_constraint("escalation_route_source_line_has_document")]

    def __str__(self):
        return f"{self.system}: red risks → {self.board}"


class RiskQuerySet(models.QuerySet):
    def with_rating(self):
        """Annotate ``score_value`` (likelihood × impact) and ``rating_value`` (its RAG)."""
        return self.annotate(score_value=F("likelihood") * F("impact"), rating_value=rating_case())


class Risk(Sourced):
    """A risk to the system or a Place: what it is, who owns it, how likely and how bad."""

    key = models.SlugField(max_length=80)
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="risks")
    # Empty: a system-level risk.
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.RESTRICT, related_name="risks"
    )
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    # Empty: the documents name no owner and no one has assigned one yet.
    owner_board = models.ForeignKey(
        Board, null=True, blank=True, on_delete=models.RESTRICT, related_name="owned_risks"
    )
    # 1 (rare / negligible) to 5 (almost certain / catastrophic); empty: not assessed.
    likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    impact = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=RiskStatus.choices)
    review_date = models.DateField(null=True, blank=True)
    identified = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    metrics = models.ManyToManyField(
        "metrics.Metric", through="RiskMetric", blank=True, related_name="risks"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(table_name="governance_historicalrisk")

    objects = RiskQuerySet.as_manager()

    class Meta:
        db_table = "governance_risk"
        ordering = ["system", "place__name", "key"]
        constraints = [
            key_per_system("risk"),
            models.CheckConstraint(
                condition=SCORE_RANGE,
                name="risk_likelihood_1_to_5",
                violation_error_message="Likelihood is scored from 1 to 5.",
            ),
            models.CheckConstraint(
                condition=IMPACT_RANGE,
                name="risk_impact_1_to_5",
                violation_error_message="Impact is scored from 1 to 5.",
            ),
            sourced_constraint("risk_source_line_has_document"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return keyed_url("assurance:risk_detail", self)

    @property
    def score(self) -> int | None:
        """Likelihood × impact, or None until both are scored."""
        if self.likelihood is None or self.impact is None:
            return None
        return self.likelihood * self.impact

    @property
    def rating(self) -> str:
        """The RAG rating of the score (a RiskRating value)."""
        return rating_for(self.score)

    def get_rating_display(self) -> str:
        return RiskRating(self.rating).label


class RiskMetric(models.Model):
    """That a metric is evidence for a risk: its latest snapshot may prompt a review."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="metric_links")
    metric = models.ForeignKey("metrics.Metric", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(table_name="governance_historicalriskmetric")

    class Meta:
        db_table = "governance_riskmetric"
        ordering = ["risk", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["risk", "metric"],
                name="risk_metric_unique",
                violation_error_message="This metric is already linked to the risk.",
            )
        ]

    def __str__(self):
        return f"{self.risk} ← {self.metric_id}"


class MitigatingAction(models.Model):
    """Something done to reduce a risk, by whom and by when."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=200, blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default="open")
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(table_name="governance_historicalmitigatingaction")

    class Meta:
        db_table = "governance_mitigatingaction"
        ordering = ["risk", "due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(status=ActionStatus.DONE),
                name="action_completed_only_when_done",
                violation_error_message="Only a done action has a completion date.",
            )
        ]

    def __str__(self):
        return f"{self.risk}: {self.description[:60]}"


class RiskReview(models.Model):
    """A person's decision on a risk's rating, with the reason and the evidence that prompted it."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    reason = models.TextField()
    likelihood_before = models.PositiveSmallIntegerField(null=True, blank=True)
    impact_before = models.PositiveSmallIntegerField(null=True, blank=True)
    likelihood_after = models.PositiveSmallIntegerField(null=True, blank=True)
    impact_after = models.PositiveSmallIntegerField(null=True, blank=True)
    # The series that prompted the review: [{"series", "metric", "subject", "variation",
    # "assurance", "published_at"}, ...]; empty for a review no metric prompted.
    evidence = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "governance_riskreview"
        ordering = ["risk", "-reviewed_at", "-id"]
        get_latest_by = "reviewed_at"

    def __str__(self):
        return f"{self.risk}: {self.get_decision_display()} ({self.reviewed_at:%Y-%m-%d})"


class RiskEscalation(models.Model):
    """A red-rated risk escalated to a board, and its de-escalation: who, when and why."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="escalations")
    board = models.ForeignKey(Board, on_delete=models.RESTRICT, related_name="escalated_risks")
    escalated_at = models.DateTimeField(default=timezone.now)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    de_escalated_at = models.DateTimeField(null=True, blank=True)
    de_escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    de_escalation_reason = models.TextField(blank=True)

    class Meta:
        db_table = "governance_riskescalation"
        ordering = ["risk", "-escalated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["risk"],
                condition=Q(de_escalated_at__isnull=True),
                name="risk_one_open_escalation",
                violation_error_message="This risk is already escalated.",
            ),
            models.CheckConstraint(
                condition=Q(de_escalated_at__isnull=True)
                | Q(de_escalated_at__gte=F("escalated_at")),
                name="risk_de_escalated_after_escalation",
                violation_error_message="A risk is de-escalated after it was escalated.",
            ),
        ]

    def __str__(self):
        return f"{self.risk} → {self.board}"

    @property
    def is_open(self) -> bool:
        return self.de_escalated_at is None


# -- Long Term Plan commitments ------------------------------------------------------------------


class Commitment(Sourced):
    """A Long Term Plan commitment of a programme, with its target year, owner and status."""

    key = models.SlugField(max_length=80)
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="commitments")
    programme = models.CharField(max_length=120)
    programme_slug = models.SlugField(max_length=80)
    text = models.TextField()
    # As the documents give it: "2020", "2023/24", or empty when no year is stated.
    target_year = models.CharField(max_length=20, blank=True)
    # "by" (a deadline) or "from" (a start); empty when no year is stated.
    year_qualifier = models.CharField(max_length=10, blank=True)
    # The last day of the target year for a deadline; empty otherwise.
    due_date = models.DateField(null=True, blank=True)
    owner_board = models.ForeignKey(
        Board, null=True, blank=True, on_delete=models.RESTRICT, related_name="commitments"
    )
    owner_note = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.NOT_STATED
    )
    status_note = models.TextField(blank=True)
    figures = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    modified_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(table_name="governance_historicalcommitment")

    class Meta:
        db_table = "governance_commitment"
        ordering = ["system", "order", "key"]
        verbose_name = "Long Term Plan commitment"
        constraints = [
            key_per_system("commitment"),
            sourced_constraint("commitment_source_line_has_document"),
        ]

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        return system_url("assurance:commitment_list", self.system, anchor=f"commitment-{self.key}")

    def is_overdue(self, today=None) -> bool:
        """Past its deadline and neither met nor reported as missed."""
        today = today or timezone.localdate()
        return (
            self.due_date is not None
            and self.due_date < today
            and self.status not in (CommitmentStatus.MET, CommitmentStatus.NOT_MET)
        )


# -- outcome links and finance --------------------------------------------------------------


class PriorityLink(Sourced):
    """Abstract: why a priority is linked to something — a document says so, or a person did."""

    basis = models.CharField(max_length=10, choices=LinkBasis.choices)
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class PriorityOutcome(PriorityLink):
    """That a Place's priority serves one of the system's outcomes."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="outcome_links")
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="priority_links")
    # A removed link survives here with who removed it and why (the whole reason, not 100 chars).
    history = HistoricalRecords(
        table_name="places_historicalpriorityoutcome",
        history_change_reason_field=models.TextField(null=True),
    )

    class Meta:
        db_table = "places_priorityoutcome"
        ordering = ["outcome", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "outcome"],
                name="priority_outcome_unique",
                violation_error_message="This priority is already linked to this outcome.",
            ),
            sourced_constraint("priority_outcome_source_line_has_document"),
        ]

    def __str__(self):
        return f"{self.priority} → {self.outcome}"


class PriorityMetric(PriorityLink):
    """That a metric evidences progress on a Place's priority."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="metric_links")
    metric = models.ForeignKey(
        "metrics.Metric", on_delete=models.CASCADE, related_name="priority_links"
    )
    history = HistoricalRecords(
        table_name="places_historicalprioritymetric",
        history_change_reason_field=models.TextField(null=True),
    )

    class Meta:
        db_table = "places_prioritymetric"
        ordering = ["priority", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "metric"],
                name="priority_metric_unique",
                violation_error_message="This metric is already linked to this priority.",
            ),
            sourced_constraint("priority_metric_source_line_has_document"),
        ]

    def __str__(self):
        return f"{self.priority} ← {self.metric_id}"


class FinanceFigure(Sourced):
    """A cited financial figure: an underlying position, the efficiency requirement or a part
    of it, a savings opportunity, a Place's efficiency target."""

    key = models.SlugField(max_length=80)
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="finance_figures")
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.CASCADE, related_name="finance_figures"
    )
    # The CCG whose footprint the figure covers, where the documents give one.
    organisation = models.ForeignKey(
        "governance.Organisation",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="finance_figures",
    )
    # A part of another figure (the commissioners' share of the efficiency requirement).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="parts"
    )
    kind = models.CharField(max_length=30, choices=FinanceKind.choices)
    label = models.CharField(max_length=300)
    area = models.CharField(max_length=200, blank=True)
    value = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    as_written = models.CharField(max_length=100, blank=True)
    qualifier = models.CharField(max_length=40, blank=True)
    period = models.CharField(max_length=60, blank=True)
    basis = models.TextField(blank=True)
    note = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "places_financefigure"
        ordering = ["system", "kind", "order", "key"]
        constraints = [
            key_per_system("finance_figure"),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="finance_figure_not_its_own_part",
                violation_error_message="A figure cannot be a part of itself.",
            ),
            sourced_constraint("finance_figure_source_line_has_document"),
        ]

    def __str__(self):
        return f"{self.label}: {self.as_written}"

    @property
    def amount(self) -> str:
        """The figure with its unit as people read it ('£54,246,000 deficit', '£119.4m',
        'up to £3m'); what the documents wrote when the unit is not money or there is no
        value ('' when they wrote nothing)."""
        if self.value is None or self.unit not in ("GBP m", "GBP thousand"):
            return self.as_written
        size = abs(self.value)
        if self.unit == "GBP m":
            text = f"£{size:,.2f}".rstrip("0").rstrip(".") + "m"
        else:  # "(54,246)" in a table headed "£000's"
            text = f"£{size * 1000:,.0f}"
        text = " ".join(part for part in (self.qualifier, text) if part)
        return f"{text} deficit" if self.value < 0 else text


class FinancePrinciple(Sourced):
    """One of a system's agreed finance principles, numbered as the documents number them."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="finance_principles")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        db_table = "places_financeprinciple"
        ordering = ["system", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "number"],
                name="finance_principle_unique_number",
                violation_error_message="The system already has a principle with this number.",
            ),
            sourced_constraint("finance_principle_source_line_has_document"),
        ]

    def __str__(self):
        return f"{self.number}. {self.text[:60]}"


class AgendaItemMetric(models.Model):
    """That an agenda item covers a metric: the pack shows the metric's latest snapshot with it."""

    item = models.ForeignKey(
        "governance.AgendaItem", on_delete=models.CASCADE, related_name="metric_links"
    )
    metric = models.ForeignKey(
        "metrics.Metric", on_delete=models.CASCADE, related_name="agenda_item_links"
    )

    class Meta:
        ordering = ["item", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "metric"],
                name="agenda_item_metric_unique",
                violation_error_message="The item already covers this metric.",
            )
        ]

    def __str__(self):
        return f"{self.item} covers {self.metric}"


class AgendaItemRisk(models.Model):
    """That an agenda item covers a risk: the pack shows its rating and any re-rating."""

    item = models.ForeignKey(
        "governance.AgendaItem", on_delete=models.CASCADE, related_name="risk_links"
    )
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="agenda_item_links")

    class Meta:
        ordering = ["item", "risk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "risk"],
                name="agenda_item_risk_unique",
                violation_error_message="The item already covers this risk.",
            )
        ]

    def __str__(self):
        return f"{self.item} covers {self.risk}"
