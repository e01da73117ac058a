from django.db import models


class RiskStatus(models.TextChoices):
    IDENTIFIED = "identified", "Identified (not yet assessed)"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class RiskRating(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    UNRATED = "unrated", "Not rated"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class ReviewDecision(models.TextChoices):
    KEPT = "kept", "Rating kept"
    CHANGED = "changed", "Rating changed"


class CommitmentStatus(models.TextChoices):
    NOT_STATED = "not_stated", "Not given in the source"
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"


class FinanceKind(models.TextChoices):
    UNDERLYING_POSITION = "underlying_position", "Underlying financial position"
    EFFICIENCY_REQUIREMENT = "efficiency_requirement", "Efficiency requirement"
    EFFICIENCY_SPLIT = "efficiency_split", "Part of the efficiency requirement"
    SAVINGS_OPPORTUNITY = "savings_opportunity", "Savings opportunity"
    PLACE_EFFICIENCY_TARGET = "place_efficiency_target", "Place efficiency target"


class LinkBasis(models.TextChoices):
    DOCUMENT = "document", "Stated in a source document"
    PERSON = "person", "Linked by a person in the portal"
