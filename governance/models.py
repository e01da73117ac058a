from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.models import HistoricalRecords

from icsportal.roles import PortalRole
from places.models import Place, Sourced, System, sourced_constraint

from .choices import (
    BoardLevel,
    BoardStatus,
    EndReason,
    OrganisationKind,
    Role,
    StatementKind,
)


def added_by_text(user, when) -> str:
    """ "Added by USER on 3 May 2025", for an entry made in the portal rather than a document."""
    who = user.get_username() if user is not None else "someone no longer on the portal"
    return f"Added by {who} on {date_format(timezone.localtime(when), 'j F Y')}"


class Organisation(Sourced):
    """A body that sits on boards or is measured: a CCG, trust, council, primary care…"""

    key = models.SlugField(max_length=80, unique=True)
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(max_length=200)
    abbreviation = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=40, choices=OrganisationKind.choices)
    subtype = models.CharField(max_length=300, blank=True)
    national_code = models.CharField(max_length=10, blank=True)
    # A collective ("Primary Care", "PCNs"): the documents name the sector, not one body.
    is_collective = models.BooleanField(default=False)
    places = models.ManyToManyField(Place, blank=True, related_name="organisations")
    name_variants = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "key"]
        constraints = [sourced_constraint("organisation_source_line_has_document")]

    def __str__(self):
        return self.name


class BoardQuerySet(models.QuerySet):
    def with_current_members(self, on=None):
        """Prefetch each board's memberships in force on ``on`` (default today) as ``current``."""
        on = on or timezone.localdate()
        return self.prefetch_related(
            models.Prefetch(
                "memberships",
                # created_by, person__created_by: the provenance of seats and people entered
                # in the portal
                queryset=Membership.objects.active_on(on).select_related(
                    "person__created_by", "on_behalf_of", "source_document", "created_by"
                ),
                to_attr="current",
            )
        )


class Board(Sourced):
    """A governance body: a board, executive group, forum or committee."""

    key = models.SlugField(max_length=80, unique=True)
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="boards")
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=300)
    abbreviation = models.CharField(max_length=20, blank=True)
    level = models.CharField(max_length=20, choices=BoardLevel.choices)
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="boards"
    )
    reports_to = models.ManyToManyField(
        "self",
        through="ReportingLine",
        through_fields=("board", "reports_to"),
        symmetrical=False,
        blank=True,
        related_name="reporting_boards",
    )
    purpose = models.TextField(blank=True)
    meeting_frequency = models.CharField(max_length=300, blank=True)
    chair_arrangement = models.TextField(blank=True)
    # The documents rarely state a quorum; empty means "not stated".
    quorum = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=BoardStatus.choices)
    status_as_written = models.CharField(max_length=200, blank=True)
    established = models.CharField(max_length=200, blank=True)
    required_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="required_on_boards"
    )
    name_variants = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    is_synthetic = models.BooleanField(default=False)
    history = HistoricalRecords()

    objects = BoardQuerySet.as_manager()

    class Meta:
        ordering = ["level", "name", "key"]
        constraints = [
            sourced_constraint("board_source_line_has_document"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assurance:board_detail", kwargs={"slug": self.slug})


class ReportingLine(Sourced):
    """That one board reports to another, as a document states it."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="reporting_lines")
    reports_to = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["board", "order", "reports_to"]
        constraints = [
            models.UniqueConstraint(
                fields=["board", "reports_to"],
                name="reporting_line_unique",
                violation_error_message="This reporting line already exists.",
            ),
            models.CheckConstraint(
                condition=~Q(board=F("reports_to")),
                name="reporting_line_not_to_itself",
                violation_error_message="A board cannot report to itself.",
            ),
        ]

    def __str__(self):
        return f"{self.board} → {self.reports_to}"


class BoardStatement(Sourced):
    """A cited statement about a board: its purpose, chair, membership, a conflicting reading."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="statements")
    kind = models.CharField(max_length=20, choices=StatementKind.choices)
    text = models.TextField()
    note = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["board", "kind", "order"]
        constraints = [sourced_constraint("statement_source_line_has_document")]

    def __str__(self):
        return f"{self.board} — {self.get_kind_display()}"


class Person(Sourced):
    """A person named in the documents or added by a board secretary."""

    key = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    name_variants = models.JSONField(default=list, blank=True)
    identity_note = models.TextField(blank=True)
    is_synthetic = models.BooleanField(default=False)
    # Who typed the person into the portal, and when; empty for people loaded from documents.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "key"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.name

    @property
    def provenance(self) -> str:
        """Where the person came from when no document names them: "Added by … on …"."""
        return added_by_text(self.created_by, self.created_at) if self.created_at else ""


class Appointment(Sourced):
    """A post a person held in an organisation, as a document states it (Popolo: a membership)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="appointments")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    title = models.CharField(max_length=400)
    as_at = models.DateField(null=True, blank=True)
    as_at_text = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["person", "as_at", "title"]

    def __str__(self):
        return f"{self.person}: {self.title}"


class MembershipQuerySet(models.QuerySet):
    def active_on(self, day):
        """Memberships in force on ``day``; an unstated start counts as already begun."""
        return self.filter(Q(start_date__isnull=True) | Q(start_date__lte=day)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )

    def overlapping(self, start, end):
        """Memberships whose term shares at least one day with ``start``…``end`` (None = open)."""
        qs = self
        if end is not None:
            qs = qs.filter(Q(start_date__isnull=True) | Q(start_date__lte=end))
        if start is not None:
            qs = qs.filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        return qs


class Membership(Sourced):
    """A seat on a board (a Popolo membership): a person or a vacancy, for an organisation."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="memberships")
    # Empty: the seat is vacant, or the documents name only the organisation.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    on_behalf_of = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    label = models.CharField(max_length=300, blank=True)
    voting = models.BooleanField(default=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    # A seat whose holder the source does not name, as opposed to a declared vacancy.
    person_not_named = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    # Set for seats loaded from a fixture, so that reloading finds them again.
    origin_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    # Optimistic lock: every accepted change adds one, so a write based on an older read is
    # detected (services compare it; the API sends it as the ETag).
    version = models.PositiveIntegerField(default=1, editable=False)
    # Who entered the seat in the portal; empty for seats loaded from documents.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["board", "role", "on_behalf_of__name", "person__name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="membership_ends_after_it_starts",
                violation_error_message="A membership cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=False) | Q(end_reason=""),
                name="membership_end_reason_needs_end_date",
                violation_error_message="An end reason needs an end date.",
            ),
            # The database's own guard for the common case (one open-ended chair); clean()
            # checks overlapping dated terms, which an index cannot express portably.
            models.UniqueConstraint(
                fields=["board"],
                condition=Q(role=Role.CHAIR, end_date__isnull=True),
                name="membership_one_open_chair_per_board",
                violation_error_message=(
                    "This board already has a chair; record a joint or rotating chair as co-chair."
                ),
            ),
            sourced_constraint("membership_source_line_has_document"),
        ]

    def __str__(self):
        who = self.person.name if self.person_id else "vacant"
        return f"{self.board}: {who} ({self.get_role_display()})"

    @property
    def is_vacant(self) -> bool:
        return self.person_id is None and not self.person_not_named

    @property
    def provenance(self) -> str:
        """Who entered the seat in the portal and when, or "" for a seat from the documents."""
        if self.created_by_id is None:
            return ""
        return added_by_text(self.created_by, self.created_at)

    @property
    def seat_description(self) -> str:
        """The seat in words, e.g. "the Member seat for Rugby Borough Council (vacant)"."""
        role = self.get_role_display()
        org = f" for {self.on_behalf_of.name}" if self.on_behalf_of_id else ""
        if self.person_id:
            return f"{self.person.name}'s {role} seat{org}"
        holder = "not named in the source" if self.person_not_named else "vacant"
        return f"the {role} seat{org} ({holder})"

    def clean(self):
        super().clean()
        if self.role == Role.CHAIR and self.board_id:
            clash = (
                Membership.objects.filter(board_id=self.board_id, role=Role.CHAIR)
                .exclude(pk=self.pk)
                .overlapping(self.start_date, self.end_date)
            )
            if clash.exists():
                raise ValidationError(
                    {
                        "role": "Another chair's term overlaps these dates; "
                        "record a joint or rotating chair as co-chair."
                    }
                )
        if self.person_id and self.board_id:
            twice = (
                Membership.objects.filter(board_id=self.board_id, person_id=self.person_id)
                .exclude(pk=self.pk)
                .overlapping(self.start_date, self.end_date)
            )
            if twice.exists():
                raise ValidationError(
                    {"person": "This person already sits on this board for part of these dates."}
                )


class RoleGrant(models.Model):
    """A portal role given to a user; a board secretary's grant names the boards they may edit."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_role"
    )
    role = models.CharField(max_length=20, choices=PortalRole.choices)
    boards = models.ManyToManyField(Board, blank=True, related_name="secretaries")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user__username"]

    def __str__(self):
        return f"{self.user}: {self.get_role_display()}"
