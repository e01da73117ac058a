import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

from icsportal.validity import valid_on

from .choices import DatePrecision, FactKind, PriorityStatus
from .links import keyed_url, system_url


class Document(models.Model):
    """A source document that facts in the portal cite by line.

    A document belongs to the system whose fixture cites it: its key ("doc_002") and the line
    numbers cited are those of that system's copy, and unloading the system removes it. A
    document two systems cite is held once for each."""

    # "places.System": the system is declared below, and a document comes before its facts.
    system = models.ForeignKey("places.System", on_delete=models.CASCADE, related_name="documents")
    key = models.SlugField(max_length=40)
    title = models.CharField(max_length=300)
    short_title = models.CharField(max_length=80)
    file_name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True)
    date_note = models.CharField(max_length=500, blank=True)
    is_draft = models.BooleanField(default=False)
    line_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "key"],
                name="document_unique_key_per_system",
                violation_error_message="The system already has a document with this key.",
            ),
            models.UniqueConstraint(
                fields=["system", "file_name"],
                name="document_unique_file_per_system",
                violation_error_message="The system already has a document in this file.",
            ),
        ]

    def __str__(self):
        return self.short_title


class Sourced(models.Model):
    """Abstract: a fact that keeps the document and line it came from.

    Foreign keys within a system are RESTRICT, not PROTECT: a cited document (a Place with
    boards, a person with seats) cannot be deleted alone, but removing the whole system
    deletes them together with what cites them."""

    source_document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    source_line = models.PositiveIntegerField(null=True, blank=True)
    # Corroborating or variant mentions: [{"document": key, "line": n}, ...]
    also_sources = models.JSONField(default=list, blank=True)

    class Meta:
        abstract = True

    @property
    def citation(self) -> str:
        """'Short title, line N', or '' when the fact has no document."""
        if self.source_document_id is None:
            return ""
        doc = self.source_document
        return f"{doc.short_title}, line {self.source_line}" if self.source_line else str(doc)

    def clean(self):
        super().clean()
        if self.source_line is not None and self.source_document_id is None:
            raise ValidationError({"source_line": "A line needs a source document."})


def key_per_system(model: str) -> models.UniqueConstraint:
    """A record's key is unique within its system: two systems may use the same key."""
    return models.UniqueConstraint(
        fields=["system", "key"],
        name=f"{model}_unique_key_per_system",
        violation_error_message="The system already has a record with this key.",
    )


def sourced_constraint(name: str) -> models.CheckConstraint:
    """A line number is only meaningful with its document."""
    return models.CheckConstraint(
        condition=Q(source_line__isnull=True) | Q(source_document__isnull=False),
        name=name,
        violation_error_message="A source line needs a source document.",
    )


class Dated(models.Model):
    """Abstract: in force from ``valid_from`` to ``valid_to`` (inclusive); empty = not stated,
    or still in force."""

    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "The end date is before the start date."})

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )


def dated_constraint(name: str) -> models.CheckConstraint:
    """A validity ends on or after it starts."""
    return models.CheckConstraint(
        condition=Q(valid_from__isnull=True)
        | Q(valid_to__isnull=True)
        | Q(valid_to__gte=F("valid_from")),
        name=name,
        violation_error_message="The end date is before the start date.",
    )


class Attested(Sourced):
    """Abstract: a change to the structure recorded with its reason and its source — a document
    and line, or a person who said so on a date — and who entered it in the portal."""

    reason = models.TextField()
    stated_by = models.CharField(max_length=200, blank=True)
    stated_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set for records loaded from a fixture, so that reloading finds them again.
    origin_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        abstract = True

    @property
    def source_text(self) -> str:
        """ "5-year plan, line 258", or "Stated by Jane Smith on 1 April 2026"."""
        if self.source_document_id is not None:
            return self.citation
        if self.stated_by:
            return f"Stated by {self.stated_by} on {self.stated_on.day} {self.stated_on:%B %Y}"
        return ""

    def clean(self):
        super().clean()
        has_person = bool(self.stated_by) and self.stated_on is not None
        if self.source_document_id is None and not has_person:
            raise ValidationError(
                {
                    "source_document": "Give the source: a document and line, "
                    "or the person who stated it and the date."
                }
            )
        if self.source_document_id is not None and (self.stated_by or self.stated_on):
            raise ValidationError(
                {"stated_by": "Give a document or a person as the source, not both."}
            )
        count = self.source_document.line_count if self.source_document_id else None
        if count and self.source_line and self.source_line > count:
            raise ValidationError(
                {"source_line": f"{self.source_document} has {count} lines; check the line."}
            )


def attested_constraint(name: str) -> models.CheckConstraint:
    """A source: a document, or a person on a date."""
    return models.CheckConstraint(
        condition=Q(source_document__isnull=False)
        | (~Q(stated_by="") & Q(stated_on__isnull=False)),
        name=name,
        violation_error_message=(
            "Give the source: a document and line, or the person who stated it and the date."
        ),
    )


class System(Dated, Sourced):
    """An Integrated Care System: the partnership that its Places belong to; ``valid_from`` and
    ``valid_to`` when the documents or an administrator date it."""

    key = models.SlugField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=80, blank=True)
    description = models.TextField(blank=True)
    aim = models.TextField(blank=True)
    tagline = models.CharField(max_length=300, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    population_as_written = models.CharField(max_length=80, blank=True)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            sourced_constraint("system_source_line_has_document"),
            dated_constraint("system_ends_after_it_starts"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return system_url("assurance:system_overview", self)


class PlaceQuerySet(models.QuerySet):
    def with_system_on(self, day: dt.date):
        """Annotate ``system_on``: the id of each Place's system on ``day`` — that of its
        place-in-system record covering the day, else its current system."""
        covering = PlaceInSystem.objects.filter(valid_on(day), place=OuterRef("pk"))
        return self.annotate(
            system_on=Coalesce(
                Subquery(covering.order_by("-valid_from").values("system_id")[:1]),
                F("system_id"),
                output_field=models.BigIntegerField(),
            )
        )

    def with_headline_population(self):
        """Prefetch each Place's headline population fact and its citation as
        ``headline_population`` (a list of none or one)."""
        return self.prefetch_related(
            models.Prefetch(
                "facts",
                queryset=Fact.objects.filter(
                    is_headline=True, kind=FactKind.POPULATION
                ).select_related("source_document"),
                to_attr="headline_population",
            )
        )


class Place(Sourced):
    """A Place within a system: the footprint where local partners plan care together."""

    key = models.SlugField(max_length=60)
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="places")
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    name_variants = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    is_synthetic = models.BooleanField(default=False)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["system__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "slug"],
                name="place_unique_slug_per_system",
                violation_error_message="A Place with this slug already exists in the system.",
            ),
            key_per_system("place"),
            sourced_constraint("place_source_line_has_document"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assurance:place_detail", kwargs={"slug": self.slug})


class PlaceInSystem(Attested, Dated):
    """That a Place belonged to a system from one date to another: the record of a Place that
    moved. ``Place.system`` stays the system it belongs to today."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="systems_over_time")
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["place", "valid_from", "id"]
        verbose_name = "place in system"
        verbose_name_plural = "places in systems"
        constraints = [
            dated_constraint("place_in_system_ends_after_it_starts"),
            sourced_constraint("place_in_system_source_line_has_document"),
            attested_constraint("place_in_system_has_source"),
        ]

    def __str__(self):
        return f"{self.place} in {self.system}"


class Cluster(Attested, Dated):
    """A named group of systems sharing a board and executive team, for a time."""

    key = models.SlugField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["name"]
        constraints = [
            dated_constraint("cluster_ends_after_it_starts"),
            sourced_constraint("cluster_source_line_has_document"),
            attested_constraint("cluster_has_source"),
        ]

    def __str__(self):
        return self.name


class ClusterMembership(Attested, Dated):
    """That a system belonged to a cluster from one date to another."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="memberships")
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="clusters_joined")
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["cluster", "system__name", "valid_from"]
        constraints = [
            dated_constraint("cluster_membership_ends_after_it_starts"),
            sourced_constraint("cluster_membership_source_line_has_document"),
            attested_constraint("cluster_membership_has_source"),
        ]

    def __str__(self):
        return f"{self.system} in {self.cluster}"


class Fact(Sourced):
    """A cited fact about a system or one of its Places: a count, a population, background."""

    key = models.SlugField(max_length=80)
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="facts")
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.CASCADE, related_name="facts"
    )
    kind = models.CharField(max_length=20, choices=FactKind.choices)
    topic = models.CharField(max_length=120, blank=True)
    label = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    value = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=120, blank=True)
    as_written = models.CharField(max_length=200, blank=True)
    qualifier = models.CharField(max_length=40, blank=True)
    # Several figures stated in one sentence: [{"value", "unit", "as_written", "label"}, ...]
    figures = models.JSONField(default=list, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    # A dated event's date as its words give it: the first day of the day, month, quarter,
    # financial year or year they name, and which of those it is ("summer of 2018": a year).
    date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(max_length=20, choices=DatePrecision.choices, blank=True)
    # The Place's headline population, shown on cards and the overview.
    is_headline = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["system", "place", "kind", "order", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "kind"],
                condition=Q(is_headline=True),
                name="fact_one_headline_per_place_and_kind",
                violation_error_message="A Place has only one headline figure of each kind.",
            ),
            key_per_system("fact"),
            sourced_constraint("fact_source_line_has_document"),
            models.CheckConstraint(
                condition=Q(date__isnull=True, date_precision="")
                | (Q(date__isnull=False) & ~Q(date_precision="")),
                name="fact_date_has_precision",
                violation_error_message="A date needs its precision, and a precision its date.",
            ),
        ]

    def __str__(self):
        return self.label or self.text[:80]

    # The forms of a date an HTML ``datetime`` attribute takes, by precision.
    _DATETIME_WIDTHS = {DatePrecision.DAY: 10, DatePrecision.MONTH: 7, DatePrecision.YEAR: 4}

    @property
    def date_datetime(self) -> str:
        """The date as an HTML ``datetime`` to its precision ("2017-05", "2018"), or '' without
        a date or where the precision (a quarter, a financial year) has no such form."""
        width = self._DATETIME_WIDTHS.get(self.date_precision)
        return self.date.isoformat()[:width] if self.date and width else ""

    # "127 GP practices", "all five District and Borough Councils", "Two Health and ..."
    _COUNTED = re.compile(
        r"^(?:all\s+)?(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
        r"|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty)\s+(.+)$",
        re.IGNORECASE,
    )

    @property
    def plain_label(self) -> str:
        """What the figure counts, in the documents' own words and capitals ("GP practices",
        "family hub geographies in Coventry"), never a key: the phrase as written without its
        number; else the label with each word's capitals as the documents write it."""
        counted = (
            self._COUNTED.match(self.as_written.strip())
            if self.kind == FactKind.COUNT and self.value is not None
            else None
        )
        if counted:
            label = counted[1]
        else:
            written = {
                w.lower(): w for w in re.findall(r"[\w'-]+", f"{self.text} {self.as_written}")
            }
            label = " ".join(written.get(w.lower(), w) for w in self.label.split())
        return label[:1].upper() + label[1:]


class Priority(Sourced):
    """A priority a Place has set itself, with its status as the documents state it."""

    key = models.SlugField(max_length=80)
    # The Place's system, held here too so that the key is unique within it.
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="priorities")
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    theme = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=20, choices=PriorityStatus.choices)
    period = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["place", "order", "title"]
        verbose_name_plural = "priorities"
        constraints = [
            key_per_system("priority"),
            sourced_constraint("priority_source_line_has_document"),
        ]

    def __str__(self):
        return f"{self.place}: {self.title}"

    def get_absolute_url(self):
        return keyed_url("assurance:priority_detail", self)


class DataQualityFlag(Sourced):
    """A doubt about the source documents, and how the portal handled it."""

    key = models.SlugField(max_length=80)
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="quality_flags")
    issue = models.TextField()
    handling = models.TextField()

    class Meta:
        ordering = ["key"]
        constraints = [
            key_per_system("flag"),
            sourced_constraint("flag_source_line_has_document"),
        ]

    def __str__(self):
        return self.key


class Outcome(Sourced):
    """One of a system's strategic outcomes, as its documents word it."""

    key = models.SlugField(max_length=80)
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="outcomes")
    # The outcome's code, which metrics name in ``Metric.outcome``: "healthy_people"…
    code = models.SlugField(max_length=30, db_index=False)
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    # The strategic plan's own wording of the outcome, with its own citation.
    statement = models.TextField(blank=True)
    statement_document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    statement_line = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["system", "number"]
        constraints = [
            key_per_system("outcome"),
            models.UniqueConstraint(
                fields=["system", "code"],
                name="outcome_unique_code_per_system",
                violation_error_message="The system already has this outcome.",
            ),
            models.UniqueConstraint(
                fields=["system", "number"],
                name="outcome_unique_number_per_system",
                violation_error_message="The system already has an outcome with this number.",
            ),
            models.CheckConstraint(
                condition=Q(statement_line__isnull=True) | Q(statement_document__isnull=False),
                name="outcome_statement_line_has_document",
                violation_error_message="A statement line needs its document.",
            ),
            sourced_constraint("outcome_source_line_has_document"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return system_url("assurance:outcome_list", self.system, anchor=f"outcome-{self.code}")

    @property
    def statement_citation(self) -> str:
        """'Short title, line N' of the strategic wording, or ''."""
        if self.statement_document_id is None:
            return ""
        title = self.statement_document.short_title
        return f"{title}, line {self.statement_line}" if self.statement_line else title


class ContentVersion(models.Model):
    """One row whose ``value`` the database raises on every write to a page's content (see
    ``places.content_version``); pages cache their sections under it."""

    value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"content version {self.value}"
