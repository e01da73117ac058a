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


class PriorityStatus(models.TextChoices):
    CURRENT = "current", "Current"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    ANTICIPATED = "anticipated", "Anticipated (subject to agreement)"
    PROPOSED = "proposed", "Proposed"
    FUTURE = "future", "Future phase"
