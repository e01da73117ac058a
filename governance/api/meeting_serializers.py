"""Meetings and their records in the API: read shapes, and the shapes of writes."""

from rest_framework import serializers

from ..choices import (
    ActionStatus,
    AttendanceStatus,
    DeclarationAction,
    InterestKind,
    ItemPurpose,
    MeetingStatus,
)
from ..models import (
    Action,
    AgendaItem,
    Attendance,
    Board,
    Declaration,
    Interest,
    Meeting,
    Membership,
    Organisation,
    Person,
)
from .serializers import BoardBriefSerializer, OrganisationBriefSerializer, PersonBriefSerializer


class MeetingSerializer(serializers.ModelSerializer):
    board = BoardBriefSerializer(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "board",
            "title",
            "start",
            "end",
            "location",
            "link",
            "status",
            "is_public",
            "pack_published_at",
            "version",
            "modified_at",
        ]


class MeetingWriteSerializer(serializers.Serializer):
    """The shape of a new meeting; who may and the rules are the services'."""

    board = serializers.SlugRelatedField(slug_field="slug", queryset=Board.objects.all())
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(required=False, allow_null=True)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    location = serializers.CharField(required=False, allow_blank=True, max_length=300)
    link = serializers.URLField(required=False, allow_blank=True, max_length=500)
    status = serializers.ChoiceField(choices=MeetingStatus.choices, required=False)
    is_public = serializers.BooleanField(required=False)


class MeetingChangeSerializer(MeetingWriteSerializer):
    board = None
    start = serializers.DateTimeField(required=False)


class PaperSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField()
    content_type = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)

    def get_url(self, paper) -> str:
        return paper.get_absolute_url()


class AgendaItemSerializer(serializers.ModelSerializer):
    organisations = OrganisationBriefSerializer(many=True, read_only=True)
    papers = PaperSerializer(many=True, read_only=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "number",
            "title",
            "purpose",
            "presenter",
            "is_public",
            "organisations",
            "papers",
            "version",
            "modified_at",
        ]


class AgendaItemWriteSerializer(serializers.Serializer):
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.all())
    number = serializers.IntegerField(min_value=1, max_value=999)
    title = serializers.CharField(max_length=300)
    purpose = serializers.ChoiceField(choices=ItemPurpose.choices)
    presenter = serializers.CharField(required=False, allow_blank=True, max_length=200)
    is_public = serializers.BooleanField(required=False)
    organisations = serializers.SlugRelatedField(
        slug_field="key", queryset=Organisation.objects.all(), many=True, required=False
    )


class AgendaItemChangeSerializer(AgendaItemWriteSerializer):
    meeting = None
    number = serializers.IntegerField(min_value=1, max_value=999, required=False)
    title = serializers.CharField(max_length=300, required=False)
    purpose = serializers.ChoiceField(choices=ItemPurpose.choices, required=False)


class AttendanceSerializer(serializers.ModelSerializer):
    person = PersonBriefSerializer(source="membership.person", read_only=True, allow_null=True)
    on_behalf_of = OrganisationBriefSerializer(
        source="membership.on_behalf_of", read_only=True, allow_null=True
    )

    class Meta:
        model = Attendance
        fields = [
            "id",
            "meeting",
            "membership",
            "person",
            "on_behalf_of",
            "status",
            "deputy_name",
            "version",
            "modified_at",
        ]


class AttendanceWriteSerializer(serializers.Serializer):
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.all())
    membership = serializers.PrimaryKeyRelatedField(queryset=Membership.objects.all())
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    deputy_name = serializers.CharField(required=False, allow_blank=True, max_length=200)


class AttendanceChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AttendanceStatus.choices, required=False)
    deputy_name = serializers.CharField(required=False, allow_blank=True, max_length=200)


class InterestSerializer(serializers.ModelSerializer):
    person = PersonBriefSerializer(read_only=True)
    organisation = OrganisationBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Interest
        fields = [
            "id",
            "person",
            "organisation",
            "description",
            "kind",
            "start_date",
            "end_date",
            "declared_on",
            "confirmed_on",
            "version",
            "modified_at",
        ]


class InterestWriteSerializer(serializers.Serializer):
    person = serializers.SlugRelatedField(slug_field="key", queryset=Person.objects.all())
    organisation = serializers.SlugRelatedField(
        slug_field="key", queryset=Organisation.objects.all(), allow_null=True, required=False
    )
    description = serializers.CharField(max_length=400)
    kind = serializers.ChoiceField(choices=InterestKind.choices)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    declared_on = serializers.DateField()
    confirmed_on = serializers.DateField(required=False, allow_null=True)


class InterestChangeSerializer(InterestWriteSerializer):
    person = None
    description = serializers.CharField(max_length=400, required=False)
    kind = serializers.ChoiceField(choices=InterestKind.choices, required=False)
    declared_on = serializers.DateField(required=False)


class DeclarationSerializer(serializers.ModelSerializer):
    person = PersonBriefSerializer(read_only=True)
    meeting = serializers.IntegerField(source="item.meeting_id", read_only=True)

    class Meta:
        model = Declaration
        fields = [
            "id",
            "meeting",
            "item",
            "person",
            "interest",
            "action",
            "note",
            "version",
            "modified_at",
        ]


class DeclarationWriteSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=AgendaItem.objects.all())
    person = serializers.SlugRelatedField(slug_field="key", queryset=Person.objects.all())
    interest = serializers.PrimaryKeyRelatedField(
        queryset=Interest.objects.all(), allow_null=True, required=False
    )
    action = serializers.ChoiceField(choices=DeclarationAction.choices)
    note = serializers.CharField(required=False, allow_blank=True)


class DeclarationChangeSerializer(serializers.Serializer):
    interest = serializers.PrimaryKeyRelatedField(
        queryset=Interest.objects.all(), allow_null=True, required=False
    )
    action = serializers.ChoiceField(choices=DeclarationAction.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class ActionSerializer(serializers.ModelSerializer):
    board = BoardBriefSerializer(read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "board",
            "meeting",
            "item",
            "description",
            "owner",
            "due_date",
            "status",
            "overdue",
            "version",
            "modified_at",
        ]

    def get_overdue(self, action) -> bool:
        today = self.context.get("today")
        return action.status == ActionStatus.OPEN and today is not None and action.due_date < today


class ActionWriteSerializer(serializers.Serializer):
    board = serializers.SlugRelatedField(slug_field="slug", queryset=Board.objects.all())
    meeting = serializers.PrimaryKeyRelatedField(
        queryset=Meeting.objects.all(), allow_null=True, required=False
    )
    item = serializers.PrimaryKeyRelatedField(
        queryset=AgendaItem.objects.all(), allow_null=True, required=False
    )
    description = serializers.CharField()
    owner = serializers.CharField(max_length=200)
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)


class ActionChangeSerializer(serializers.Serializer):
    description = serializers.CharField(required=False)
    owner = serializers.CharField(max_length=200, required=False)
    due_date = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
