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
