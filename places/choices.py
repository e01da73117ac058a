from django.db import models


class FactKind(models.TextChoices):
    COUNT = "count", "Count"
    POPULATION = "population", "Population"
    BACKGROUND = "background", "Background"
    HEALTH = "health", "Population health"


class PriorityStatus(models.TextChoices):
    CURRENT = "current", "Current"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    ANTICIPATED = "anticipated", "Anticipated (subject to agreement)"
    PROPOSED = "proposed", "Proposed"
    FUTURE = "future", "Future phase"


class FinanceKind(models.TextChoices):
    UNDERLYING_POSITION = "underlying_position", "Underlying financial position"
    EFFICIENCY_REQUIREMENT = "efficiency_requirement", "Efficiency requirement"
    EFFICIENCY_SPLIT = "efficiency_split", "Part of the efficiency requirement"
    SAVINGS_OPPORTUNITY = "savings_opportunity", "Savings opportunity"
    PLACE_EFFICIENCY_TARGET = "place_efficiency_target", "Place efficiency target"


class LinkBasis(models.TextChoices):
    DOCUMENT = "document", "Stated in a source document"
    PERSON = "person", "Linked by a person in the portal"
