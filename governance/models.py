from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.models import HistoricalRecords

from icsportal.roles import PortalRole
from places.choices import FactKind
from places.links import keyed_url
from places.models import (
    Attested,
    Cluster,
    Dated,
    Fact,
    Place,
    Sourced,
    System,
    attested_constraint,
    dated_constraint,
    key_per_system,
    sourced_constraint,
)

from .choices import (
    ActionStatus,
    AttendanceStatus,
    BoardLevel,
    BoardStatus,
    DeclarationAction,
    EndReason,
    InterestKind,
    ItemPurpose,
    MeetingStatus,
    OrganisationKind,
    Role,
    StatementKind,
    SuccessionKind,
)


def added_by_text(user, when) -> str:
    """ "Added by USER on 3 May 2025", for an entry made in the portal rather than a document."""
    who = user.get_username() if user is not None else "someone no longer on the portal"
    return f"Added by {who} on {date_format(timezone.localtime(when), 'j F Y')}"


class Organisation(Dated, Sourced):
    """A body that sits on boards or is measured: a CCG, trust, council, primary care…, in
    being from ``valid_from`` to ``valid_to`` where stated."""

    key = models.SlugField(max_length=80)
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
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["name", "key"]
        constraints = [
            key_per_system("organisation"),
            sourced_constraint("organisation_source_line_has_document"),
            dated_constraint("organisation_ends_after_it_starts"),
        ]

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
                # in the portal; person__system: the link to a person's interests names it
                queryset=Membership.objects.active_on(on).select_related(
                    "person__created_by",
                    "person__system",
                    "on_behalf_of",
                    "source_document",
                    "created_by",
                ),
                to_attr="current",
            )
        )


class Board(Dated, Sourced):
    """A governance body: a board, executive group, forum or committee, in being from
    ``valid_from`` to ``valid_to`` where stated."""

    key = models.SlugField(max_length=80)
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="boards")
    # Unique across the portal, unlike the key: a board's URL names no system (loading a
    # system whose board takes a slug another system uses is refused).
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=300)
    abbreviation = models.CharField(max_length=20, blank=True)
    level = models.CharField(max_length=20, choices=BoardLevel.choices)
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.RESTRICT, related_name="boards"
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
    # The cluster of systems this board serves, when it is a cluster's shared board.
    cluster = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="boards"
    )
    history = HistoricalRecords()

    objects = BoardQuerySet.as_manager()

    class Meta:
        ordering = ["level", "name", "key"]
        constraints = [
            key_per_system("board"),
            sourced_constraint("board_source_line_has_document"),
            dated_constraint("board_ends_after_it_starts"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assurance:board_detail", kwargs={"slug": self.slug})


class Succession(Attested):
    """Abstract: that a body was replaced by a successor (one row per successor: a split has
    several) on a date, of a kind, for a reason, with its source. An empty successor: the
    source names none; an empty date: the source gives none."""

    date = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=SuccessionKind.choices)
    note = models.TextField(blank=True)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.successor_id is not None and self.successor_id == self.predecessor_id:
            raise ValidationError({"successor": "A body cannot succeed itself."})

    @property
    def date_text(self) -> str:
        return (
            f"{self.date.day} {self.date:%B %Y}" if self.date else "Date not stated in the source"
        )


def succession_constraints(prefix: str) -> list:
    return [
        models.CheckConstraint(
            condition=~Q(successor=F("predecessor")),
            name=f"{prefix}_not_to_itself",
            violation_error_message="A body cannot succeed itself.",
        ),
        models.UniqueConstraint(
            fields=["predecessor", "successor"],
            name=f"{prefix}_unique",
            violation_error_message="This succession is already recorded.",
        ),
        sourced_constraint(f"{prefix}_source_line_has_document"),
        attested_constraint(f"{prefix}_has_source"),
    ]


class OrganisationSuccession(Succession):
    predecessor = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="successions"
    )
    successor = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="predecessions",
    )
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["date", "predecessor__name", "id"]
        constraints = succession_constraints("organisation_succession")

    def __str__(self):
        return f"{self.predecessor} → {self.successor or 'no successor named'}"


class BoardSuccession(Succession):
    predecessor = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(
        Board, null=True, blank=True, on_delete=models.CASCADE, related_name="predecessions"
    )
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["date", "predecessor__name", "id"]
        constraints = succession_constraints("board_succession")

    def __str__(self):
        return f"{self.predecessor} → {self.successor or 'no successor named'}"


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

    key = models.SlugField(max_length=80)
    # The system whose documents name the person, or whose board's secretary added them.
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(max_length=200)
    name_variants = models.JSONField(default=list, blank=True)
    identity_note = models.TextField(blank=True)
    is_synthetic = models.BooleanField(default=False)
    # Who typed the person into the portal, and when; empty for people loaded from documents.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(null=True, blank=True)
    # The portal account of this person, when they sign in: a board's members (as portal
    # users) read its private meetings and papers.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "key"]
        verbose_name_plural = "people"
        constraints = [key_per_system("person")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return keyed_url("governance:person_interests", self)

    @property
    def provenance(self) -> str:
        """Where the person came from when no document names them: "Added by … on …"."""
        return added_by_text(self.created_by, self.created_at) if self.created_at else ""


class WorkstreamLead(Sourced):
    """Who leads a workstream (a fact of kind workstream), as the documents say: an organisation
    ("the current lead providers"), a board ("the leadership for this resides with the LWAB")
    or a post held by a person the documents do not name ("a System Lead ... post")."""

    # Unique within its workstream, and so within its system.
    key = models.SlugField(max_length=120)
    workstream = models.ForeignKey(
        Fact,
        on_delete=models.CASCADE,
        related_name="leads",
        limit_choices_to={"kind": FactKind.WORKSTREAM},
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="leads"
    )
    board = models.ForeignKey(
        Board, null=True, blank=True, on_delete=models.CASCADE, related_name="leads"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    # The lead's part in the documents' words: "current lead provider for the Out of
    # Hospital contracts", "System Lead for Medicines Optimisation and Pharmacy Integration".
    role = models.CharField(max_length=300)
    # The words that say so, as the document wrote them.
    as_written = models.TextField(blank=True)
    note = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["workstream", "order", "key"]
        constraints = [
            sourced_constraint("workstream_lead_source_line_has_document"),
            models.UniqueConstraint(
                fields=["workstream", "key"],
                name="workstream_lead_unique_key_per_workstream",
                violation_error_message="The workstream already has a lead with this key.",
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=True) | Q(board__isnull=True),
                name="workstream_lead_organisation_or_board",
                violation_error_message="A lead is an organisation or a board, not both.",
            ),
        ]

    def __str__(self):
        return f"{self.workstream}: {self.lead_name}"

    @property
    def lead_kind(self) -> str:
        """ "organisation", "board" or "person": the kind of record the lead is."""
        if self.organisation_id is not None:
            return "organisation"
        return "board" if self.board_id is not None else "person"

    @property
    def lead_name(self) -> str:
        """The lead's name, or its post's where the documents name no person."""
        lead = self.organisation or self.board or self.person
        return str(lead) if lead is not None else self.role

    def clean(self):
        super().clean()
        if self.workstream_id is not None and self.workstream.kind != FactKind.WORKSTREAM:
            raise ValidationError({"workstream": "A lead leads a workstream."})


class Appointment(Sourced):
    """A post a person held in an organisation, as a document states it (Popolo: a membership)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="appointments")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.RESTRICT, related_name="appointments"
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
        Person, null=True, blank=True, on_delete=models.RESTRICT, related_name="memberships"
    )
    on_behalf_of = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.RESTRICT, related_name="memberships"
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
    # Set for seats loaded from a fixture, so that reloading finds them again; unique per board
    # (it starts with the board's fixture key, which is unique only within its system).
    # Null, not "": seats entered in the portal have none, and the constraint ignores nulls.
    origin_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
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
            models.UniqueConstraint(
                fields=["board", "origin_key"],
                name="membership_unique_origin_per_board",
                violation_error_message="The board already has this seat from the fixture.",
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
    """A portal role given to a user in some systems (or every system); a board secretary's
    grant names the boards they may edit, which are in those systems."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_role"
    )
    role = models.CharField(max_length=20, choices=PortalRole.choices)
    # The systems the role holds in; ``all_systems`` for a portal-wide role (every system,
    # including those loaded later).
    systems = models.ManyToManyField(System, blank=True, related_name="role_grants")
    all_systems = models.BooleanField(default=False)
    boards = models.ManyToManyField(Board, blank=True, related_name="secretaries")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user__username"]

    def __str__(self):
        return f"{self.user}: {self.get_role_display()}"


# -- meetings ------------------------------------------------------------------------------------
# Every meeting row that the API changes keeps a ``version`` (the ETag), like Membership.


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, private_board_ids: frozenset[int] | None):
        """Public meetings, and private ones of ``private_board_ids`` (None: every board)."""
        if private_board_ids is None:
            return self
        return self.filter(Q(is_public=True) | Q(board_id__in=private_board_ids))


class Meeting(models.Model):
    """A meeting of a board: when, where, its status and whether the public may see it."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=200, blank=True)
    start = models.DateTimeField()
    # Optional: many boards publish only a start time.
    end = models.DateTimeField(null=True, blank=True)
    location = models.CharField(max_length=300, blank=True)
    link = models.URLField(max_length=500, blank=True)
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    is_public = models.BooleanField(default=True)
    pack_published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["board", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=F("start")),
                name="meeting_ends_after_it_starts",
                violation_error_message="A meeting must end after it starts.",
            )
        ]

    def __str__(self):
        when = timezone.localtime(self.start).strftime("%d %b %Y %H:%M")
        return f"{self.board}: {self.title or 'meeting'} {when}"

    def get_absolute_url(self):
        return reverse("governance:meeting_detail", kwargs={"slug": self.board.slug, "pk": self.pk})


class AgendaItem(models.Model):
    """An item on a meeting's agenda: purpose, presenter, the organisations it concerns."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    purpose = models.CharField(max_length=20, choices=ItemPurpose.choices)
    presenter = models.CharField(max_length=200, blank=True)
    is_public = models.BooleanField(default=True)
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="agenda_items")
    version = models.PositiveIntegerField(default=1, editable=False)
    modified_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "number"],
                name="agenda_item_number_unique",
                violation_error_message="This meeting already has an item with this number.",
            )
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Paper(models.Model):
    """A paper for an agenda item: an uploaded file (type and size checked) or a link."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=300)
    file = models.FileField(upload_to="papers/%Y/", blank=True)
    url = models.URLField(max_length=500, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="paper_file_or_link",
                violation_error_message="A paper is either an uploaded file or a link.",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """Where the paper is read: through the portal (its item's readers only), or its link."""
        if not self.file:
            return self.url
        meeting = self.item.meeting
        return reverse(
            "governance:paper_download",
            kwargs={"slug": meeting.board.slug, "pk": meeting.pk, "paper": self.pk},
        )


class Attendance(models.Model):
    """How one seat (membership) attended a meeting; a deputy is named."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    membership = models.ForeignKey(
        Membership, on_delete=models.RESTRICT, related_name="attendances"
    )
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices)
    deputy_name = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    modified_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "membership__role", "membership__person__name", "id"]
        verbose_name_plural = "attendance"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "membership"],
                name="attendance_once_per_seat",
                violation_error_message="This seat's attendance is already recorded.",
            ),
            models.CheckConstraint(
                condition=(Q(status=AttendanceStatus.DEPUTY) & ~Q(deputy_name=""))
                | (~Q(status=AttendanceStatus.DEPUTY) & Q(deputy_name="")),
                name="attendance_deputy_named",
                violation_error_message="Name the deputy, and only when one attended.",
            ),
        ]

    def __str__(self):
        return f"{self.membership}: {self.get_status_display()}"


class InterestQuerySet(models.QuerySet):
    def active_on(self, day):
        """Interests held on ``day``; an unstated start counts as already begun."""
        return self.filter(Q(start_date__isnull=True) | Q(start_date__lte=day)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )


class Interest(models.Model):
    """An entry in a person's register of interests."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="interests")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.RESTRICT, related_name="interests"
    )
    description = models.CharField(max_length=400)
    kind = models.CharField(max_length=40, choices=InterestKind.choices)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    declared_on = models.DateField()
    # The annual confirmation that the entry is still right.
    confirmed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    modified_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = InterestQuerySet.as_manager()

    class Meta:
        ordering = ["person", "-declared_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="interest_ends_after_it_starts",
                violation_error_message="An interest cannot end before it starts.",
            )
        ]

    def __str__(self):
        return f"{self.person}: {self.description}"


class Declaration(models.Model):
    """An interest declared at a meeting for an agenda item, and the action taken."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="declarations")
    person = models.ForeignKey(Person, on_delete=models.RESTRICT, related_name="declarations")
    interest = models.ForeignKey(
        Interest, null=True, blank=True, on_delete=models.SET_NULL, related_name="declarations"
    )
    action = models.CharField(max_length=20, choices=DeclarationAction.choices)
    note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    modified_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "person__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "person"],
                name="declaration_once_per_item",
                violation_error_message="This person's declaration for the item is recorded.",
            )
        ]

    def __str__(self):
        return f"{self.person} on {self.item}: {self.get_action_display()}"


class Decision(models.Model):
    """The decision the board took on an agenda item."""

    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="decision")
    text = models.TextField()
    decided_on = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_on", "id"]

    def __str__(self):
        return f"{self.item}: {self.text[:60]}"


class ActionQuerySet(models.QuerySet):
    def overdue(self, today):
        """Open actions whose due date has passed."""
        return self.filter(status=ActionStatus.OPEN, due_date__lt=today)


class Action(models.Model):
    """An action a board agreed: what, who owns it, when it is due, and its status."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    description = models.TextField()
    owner = models.CharField(max_length=200)
    due_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self):
        return f"{self.owner}: {self.description[:60]} (due {self.due_date})"


class CalendarToken(models.Model):
    """A user's revocable secret for subscribing to a board's meetings without signing in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id"]

    def __str__(self):
        return f"Calendar link of {self.user}"


class Notification(models.Model):
    """One event a user was told about by e-mail; ``key`` names the event, so it is sent once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=120)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                name="notification_once_per_event",
                violation_error_message="This user was already told about this event.",
            )
        ]

    def __str__(self):
        return f"{self.user}: {self.subject}"
