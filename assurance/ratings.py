"""A risk's RAG rating from its 5 × 5 score, in Python and as a database expression.

After the NPSA's "A risk matrix for risk managers" (2008): 1–3 low (green), 4–12 moderate or
high (amber), 15–25 extreme (red).
"""

from django.db.models import Case, CharField, F, Value, When
from django.db.models.lookups import LessThanOrEqual

from .choices import RiskRating

GREEN_MAX = 3
AMBER_MAX = 12


def rating_for(score: int | None) -> str:
    """The RAG rating of a score of 1 to 25; ``unrated`` without one."""
    if score is None:
        return RiskRating.UNRATED
    if score <= GREEN_MAX:
        return RiskRating.GREEN
    if score <= AMBER_MAX:
        return RiskRating.AMBER
    return RiskRating.RED


def rating_case() -> Case:
    """``rating_for`` as a database expression, so the register filters and sorts by rating."""
    score = F("likelihood") * F("impact")
    return Case(
        When(likelihood__isnull=True, then=Value(RiskRating.UNRATED.value)),
        When(impact__isnull=True, then=Value(RiskRating.UNRATED.value)),
        When(LessThanOrEqual(score, GREEN_MAX), then=Value(RiskRating.GREEN.value)),
        When(LessThanOrEqual(score, AMBER_MAX), then=Value(RiskRating.AMBER.value)),
        default=Value(RiskRating.RED.value),
        output_field=CharField(),
    )
