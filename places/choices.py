from django.db import models


class FactKind(models.TextChoices):
    COUNT = "count", "Count"
    POPULATION = "population", "Population"
    BACKGROUND = "background", "Background"
    HEALTH = "health", "Population health"
    FINANCE = "finance", "Finance"
    TARGET = "target", "Target"
    ACHIEVEMENT = "achievement", "Achievement"
    WORKSTREAM = "workstream", "Workstream"
    COMMISSIONING = "commissioning", "Commissioning intention"
    BCF = "bcf", "Better Care Fund scheme or arrangement"
    MATURITY = "maturity", "ICS maturity"
    EVENT = "event", "Dated event"


# A heading above a kind's facts, in plural plain words: "Dated events", not "Dated event".
FACT_KIND_HEADINGS = {
    FactKind.COUNT: "Counts",
    FactKind.POPULATION: "Population",
    FactKind.BACKGROUND: "Background",
    FactKind.HEALTH: "Population health",
    FactKind.FINANCE: "Finance",
    FactKind.TARGET: "Targets",
    FactKind.ACHIEVEMENT: "Achievements",
    FactKind.WORKSTREAM: "Workstreams",
    FactKind.COMMISSIONING: "Commissioning intentions",
    FactKind.BCF: "Better Care Fund schemes and arrangements",
    FactKind.MATURITY: "ICS maturity",
    FactKind.EVENT: "Dated events",
}


class DatePrecision(models.TextChoices):
    """How much of a date the documents' words give; a fact's ``date`` is the first day of it."""

    DAY = "day", "Day"
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter of a financial year"
    FINANCIAL_YEAR = "financial_year", "Financial year"
    YEAR = "year", "Year"


class PriorityStatus(models.TextChoices):
    CURRENT = "current", "Current"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    ANTICIPATED = "anticipated", "Anticipated (subject to agreement)"
    PROPOSED = "proposed", "Proposed"
    FUTURE = "future", "Future phase"
