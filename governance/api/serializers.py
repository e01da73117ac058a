from rest_framework import serializers

from icsportal.api.serializers import source_field
from places.api.serializers import PlaceBriefSerializer

from ..models import Board, Membership, Organisation, Person


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
            "modified_at",
            "source",
        ]

    def get_holder(self, membership) -> str:
        """The person's name, "not named in the source", or "vacant"."""
        if membership.person_id:
            return membership.person.name
        return "not named in the source" if membership.person_not_named else "vacant"
