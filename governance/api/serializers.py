from rest_framework import serializers

from icsportal.api.serializers import (
    iso_date,
    iso_datetime,
    source_field,
    source_row,
    source_values,
)
from places.api.serializers import FactSerializer, PlaceBriefSerializer

from ..models import Board, Membership, Organisation, Person, WorkstreamLead


class OrganisationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "key", "name", "abbreviation"]


class OrganisationSerializer(serializers.ModelSerializer):
    places = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    source = source_field()

    class Meta:
        model = Organisation
        fields = [
            "id",
            "key",
            "name",
            "abbreviation",
            "kind",
            "subtype",
            "national_code",
            "is_collective",
            "places",
            "name_variants",
            "note",
            "is_synthetic",
            "valid_from",
            "valid_to",
            "source",
        ]


class BoardBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Board
        fields = ["id", "slug", "name"]


class BoardSerializer(serializers.ModelSerializer):
    place = PlaceBriefSerializer(read_only=True, allow_null=True)
    reports_to = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    source = source_field()

    class Meta:
        model = Board
        fields = [
            "id",
            "key",
            "slug",
            "name",
            "abbreviation",
            "level",
            "place",
            "reports_to",
            "purpose",
            "meeting_frequency",
            "chair_arrangement",
            "quorum",
            "status",
            "status_as_written",
            "established",
            "note",
            "is_synthetic",
            "valid_from",
            "valid_to",
            "source",
        ]


class BoardDetailSerializer(BoardSerializer):
    required_organisations = OrganisationBriefSerializer(many=True, read_only=True)

    class Meta(BoardSerializer.Meta):
        fields = [*BoardSerializer.Meta.fields, "required_organisations"]


class PersonBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "key", "name"]


class PersonSerializer(serializers.ModelSerializer):
    source = source_field()

    class Meta:
        model = Person
        fields = ["id", "key", "name", "name_variants", "identity_note", "is_synthetic", "source"]


class WorkstreamLeadSerializer(serializers.ModelSerializer):
    """Who leads a workstream: the kind of record the lead is (``organisation``, ``board``, or
    ``person`` for a post whose holder the documents do not name), that record, its role and
    the words that say so, and its source."""

    lead_kind = serializers.CharField(read_only=True)
    name = serializers.CharField(source="lead_name", read_only=True)
    organisation = OrganisationBriefSerializer(read_only=True, allow_null=True)
    board = BoardBriefSerializer(read_only=True, allow_null=True)
    person = PersonBriefSerializer(read_only=True, allow_null=True)
    source = source_field()

    class Meta:
        model = WorkstreamLead
        fields = [
            "key",
            "lead_kind",
            "name",
            "organisation",
            "board",
            "person",
            "role",
            "as_written",
            "note",
            "source",
        ]


class FactWithLeadsSerializer(FactSerializer):
    """A cited fact (``FactSerializer``); a workstream's with who leads it (``leads``, empty
    for every other fact and for a workstream whose lead the documents do not name)."""

    leads = WorkstreamLeadSerializer(many=True, read_only=True)

    class Meta(FactSerializer.Meta):
        fields = [*FactSerializer.Meta.fields, "leads"]


class MembershipSerializer(serializers.ModelSerializer):
    board = BoardBriefSerializer(read_only=True)
    person = PersonBriefSerializer(read_only=True, allow_null=True)
    on_behalf_of = OrganisationBriefSerializer(read_only=True, allow_null=True)
    holder = serializers.SerializerMethodField()
    source = source_field()

    class Meta:
        model = Membership
        fields = [
            "id",
            "board",
            "person",
            "holder",
            "on_behalf_of",
            "role",
            "label",
            "voting",
            "start_date",
            "end_date",
            "end_reason",
            "note",
            "version",
            "modified_at",
            "source",
        ]

    def get_holder(self, membership) -> str:
        """The person's name, "not named in the source", or "vacant"."""
        if membership.person_id:
            return membership.person.name
        return "not named in the source" if membership.person_not_named else "vacant"

    row_values = (
        *("id", "board_id", "board__slug", "board__name"),
        *("person_id", "person__key", "person__name", "person_not_named"),
        *("on_behalf_of_id", "on_behalf_of__key", "on_behalf_of__name"),
        *("on_behalf_of__abbreviation", "role", "label", "voting", "start_date", "end_date"),
        *("end_reason", "note", "version", "modified_at", *source_values()),
    )

    @staticmethod
    def row(v: dict) -> dict:
        """The representation of the membership whose ``row_values`` are ``v``."""
        person = v["person_id"]
        if person is not None:
            holder = v["person__name"]
        else:
            holder = "not named in the source" if v["person_not_named"] else "vacant"
        org = v["on_behalf_of_id"]
        return {
            "id": v["id"],
            "board": {"id": v["board_id"], "slug": v["board__slug"], "name": v["board__name"]},
            "person": (
                {"id": person, "key": v["person__key"], "name": v["person__name"]}
                if person is not None
                else None
            ),
            "holder": holder,
            "on_behalf_of": (
                {
                    "id": org,
                    "key": v["on_behalf_of__key"],
                    "name": v["on_behalf_of__name"],
                    "abbreviation": v["on_behalf_of__abbreviation"],
                }
                if org is not None
                else None
            ),
            "role": v["role"],
            "label": v["label"],
            "voting": v["voting"],
            "start_date": iso_date(v["start_date"]),
            "end_date": iso_date(v["end_date"]),
            "end_reason": v["end_reason"],
            "note": v["note"],
            "version": v["version"],
            "modified_at": iso_datetime(v["modified_at"]),
            "source": source_row(v),
        }


class MembershipWriteSerializer(serializers.Serializer):
    """The shape of a membership write; the rules are the services'."""

    board = serializers.SlugRelatedField(slug_field="slug", queryset=Board.objects.all())
    person = serializers.SlugRelatedField(
        slug_field="key", queryset=Person.objects.all(), allow_null=True, required=False
    )
    person_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    on_behalf_of = serializers.SlugRelatedField(
        slug_field="key", queryset=Organisation.objects.all(), allow_null=True, required=False
    )
    role = serializers.ChoiceField(choices=Membership._meta.get_field("role").choices)
    voting = serializers.BooleanField(required=False, default=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    end_reason = serializers.ChoiceField(
        choices=Membership._meta.get_field("end_reason").choices, required=False, allow_blank=True
    )
    label = serializers.CharField(required=False, allow_blank=True, max_length=300)
    note = serializers.CharField(required=False, allow_blank=True)


class MembershipChangeSerializer(MembershipWriteSerializer):
    """A partial change: every field optional; the board is not among them."""

    board = None
    role = serializers.ChoiceField(
        choices=Membership._meta.get_field("role").choices, required=False
    )
    start_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=(
            "The first day of the term; null when not stated in the source (seats loaded from "
            "the documents). A seat whose start is not known keeps null; a known start date "
            "cannot be removed."
        ),
    )
    voting = serializers.BooleanField(required=False)


class MembershipEndSerializer(serializers.Serializer):
    end_date = serializers.DateField()
    end_reason = serializers.ChoiceField(choices=Membership._meta.get_field("end_reason").choices)
