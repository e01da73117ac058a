"""Observation imports: the service ``observations_import`` and the refusal it raises."""

from .budget import Budget, BudgetExceeded
from .errors import MAX_ERRORS, ImportConflict, ImportFailed
from .periods import period_parse
from .services import ImportResult, observations_import

__all__ = [
    "Budget",
    "BudgetExceeded",
    "MAX_ERRORS",
    "ImportConflict",
    "ImportFailed",
    "ImportResult",
    "observations_import",
    "period_parse",
]
