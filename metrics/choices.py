from django.db import models


class Polarity(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", "Higher is better"
    LOWER_IS_BETTER = "lower_is_better", "Lower is better"
    NEUTRAL = "neutral", "Neutral"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual (financial year)"
    POINT_IN_TIME = "point_in_time", "Point in time"


class Category(models.TextChoices):
    BCF = "bcf", "Better Care Fund"
    WORKFORCE = "workforce", "Workforce"
    ACTIVITY = "activity", "Activity"
    QUALITY = "quality", "Quality"
    FINANCE = "finance", "Finance"


# Metrics of these categories are defined nationally: one code for every system, each system
# with its own owner board, series and targets. Others a system defines for itself.
NATIONAL_CATEGORIES = frozenset({Category.BCF, Category.WORKFORCE})


class SubjectType(models.TextChoices):
    SYSTEM = "system", "System"
    PLACE = "place", "Place"
    ORGANISATION = "organisation", "Organisation"


class Provenance(models.TextChoices):
    DOCUMENT = "document", "Documented"
    UPLOAD = "upload", "Uploaded"
    SYNTHETIC = "synthetic", "Synthetic (illustrative)"


class Maturity(models.TextChoices):
    NOT_YET_ESTABLISHED = "not_yet_established", "Not yet established"
    PLANS_IN_PLACE = "plans_in_place", "Plans in place"
    ESTABLISHED = "established", "Established"
    MATURE = "mature", "Mature"
    EXEMPLARY = "exemplary", "Exemplary"


class AssessmentKind(models.TextChoices):
    CURRENT = "current", "Current"
    PLANNED = "planned", "Planned"


class StatementKind(models.TextChoices):
    ACTUAL = "actual", "Stated performance"
    TARGET = "target", "Stated target"
    BASIS = "basis", "Basis"
    ACTION = "action", "Supporting action"


class RAG(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"
    GREY = "grey", "Grey (no target)"


class SnapshotStatus(models.TextChoices):
    BUILDING = "building", "Building"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"


class SeriesProvenance(models.TextChoices):
    DOCUMENTED = "documented", "Documented"
    UPLOADED = "uploaded", "Uploaded"
    SYNTHETIC = "synthetic", "Synthetic (illustrative)"
    MIXED = "mixed", "Mixed"


class DataKind(models.TextChoices):
    CONTINUOUS = "continuous", "Continuous (a measurement)"
    PROPORTION = "proportion", "Proportion (a numerator of a denominator)"
    RATE = "rate", "Rate (events per population or exposure)"
    COUNT = "count", "Count of events"
    TIME_BETWEEN = "time_between", "Time between events"
    CASES_BETWEEN = "cases_between", "Cases between events"


class Chart(models.TextChoices):
    I = "i", "XmR (individuals)"  # noqa: E741 - the chart's name
    RUN = "run", "Run chart"
    P = "p", "p chart"
    PP = "pp", "p′ chart (Laney)"
    U = "u", "u chart"
    UP = "up", "u′ chart (Laney)"
    C = "c", "c chart"
    G = "g", "g chart"
    T = "t", "t chart"


# The charts each kind of data may have, its default first (metrics.spc_limits documents them).
KIND_CHARTS = {
    DataKind.CONTINUOUS: (Chart.I, Chart.RUN),
    DataKind.PROPORTION: (Chart.P, Chart.PP, Chart.I, Chart.RUN),
    DataKind.RATE: (Chart.U, Chart.UP, Chart.I, Chart.RUN),
    DataKind.COUNT: (Chart.C, Chart.I, Chart.RUN),
    DataKind.TIME_BETWEEN: (Chart.T, Chart.I, Chart.RUN),
    DataKind.CASES_BETWEEN: (Chart.G, Chart.RUN),
}
# The kinds whose observations carry a numerator and a denominator.
FRACTION_KINDS = (DataKind.PROPORTION, DataKind.RATE)


class RuleProfile(models.TextChoices):
    NHSRPLOTTHEDOTS = "nhsrplotthedots", "NHSRplotthedots (two of three: close points only)"
    MDC = "mdc", "Making Data Count (two of three: beyond two sigma, limits included)"


class AnnotationKind(models.TextChoices):
    INTERVENTION = "intervention", "Intervention"
    DEFINITION_CHANGE = "definition_change", "Definition change"
    REBASE = "rebase", "Rebase (limits start afresh)"
    BASELINE = "baseline", "Baseline (limits fixed from a period)"
    NOTE = "note", "Note"
