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
            "version",
            "modified_at",
            "source",
        ]

    def get_holder(self, membership) -> str:
        """The person's name, "not named in the source", or "vacant"."""
        if membership.person_id:
            return membership.person.name
        return "not named in the source" if membership.person_not_named else "vacant"


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
    start_date = serializers.DateField(required=False, allow_null=True)
    voting = serializers.BooleanField(required=False)


class MembershipEndSerializer(serializers.Serializer):
    end_date = serializers.DateField()
    end_reason = serializers.ChoiceField(choices=Membership._meta.get_field("end_reason").choices)
