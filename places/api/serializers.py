from rest_framework import serializers

from icsportal.api.serializers import source_field

from ..models import DataQualityFlag, Document, Fact, Place, Priority, System


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = [
            "id",
            "key",
            "title",
            "short_title",
            "file_name",
            "description",
            "date",
            "date_note",
            "is_draft",
            "line_count",
        ]


class SystemBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = System
        fields = ["id", "slug", "name"]


class SystemSerializer(serializers.ModelSerializer):
    source = source_field()

    class Meta:
        model = System
        fields = [
            "id",
            "key",
            "slug",
            "name",
            "short_name",
            "description",
            "aim",
            "tagline",
            "population",
            "population_as_written",
            "is_synthetic",
            "valid_from",
            "valid_to",
            "source",
        ]


class PlaceBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Place
        fields = ["id", "slug", "name"]


class PlaceSerializer(serializers.ModelSerializer):
    system = SystemBriefSerializer(read_only=True)
    population = serializers.SerializerMethodField()
    source = source_field()

    class Meta:
        model = Place
        fields = [
            "id",
            "key",
            "slug",
            "name",
            "system",
            "population",
            "name_variants",
            "note",
            "is_synthetic",
            "source",
        ]

    def get_population(self, place) -> dict | None:
        facts = getattr(place, "headline_population", None)
        if not facts:
            return None
        fact = facts[0]
        return {
            "value": fact.value,
            "unit": fact.unit,
            "qualifier": fact.qualifier,
            "as_written": fact.as_written,
            "source": {
                "document": fact.source_document.key if fact.source_document else None,
                "line": fact.source_line,
                "citation": fact.citation,
            },
        }


class PrioritySerializer(serializers.ModelSerializer):
    place = PlaceBriefSerializer(read_only=True)
    source = source_field()

    class Meta:
        model = Priority
        fields = [
            "id",
            "key",
            "place",
            "title",
            "description",
            "theme",
            "status",
            "period",
            "note",
            "source",
        ]


class FactSerializer(serializers.ModelSerializer):
    """A cited fact: the figure (``value`` in ``unit``), the words as the document wrote them
    (``as_written``), several figures of one sentence (``figures``), and its source. A dated
    event's ``date`` is the first day of the day, month, quarter, financial year or year its
    words name, ``date_precision`` says which ("summer of 2018": ``2018-01-01``, a year)."""

    system = SystemBriefSerializer(read_only=True)
    place = PlaceBriefSerializer(read_only=True, allow_null=True)
    source = source_field()

    class Meta:
        model = Fact
        fields = [
            "id",
            "key",
            "system",
            "place",
            "kind",
            "topic",
            "label",
            "text",
            "value",
            "unit",
            "as_written",
            "qualifier",
            "figures",
            "year",
            "date",
            "date_precision",
            "is_headline",
            "note",
            "source",
            "also_sources",
        ]


class DataQualityFlagSerializer(serializers.ModelSerializer):
    """A doubt about the documents (they disagree, or print something odd) and how the portal
    handled it, with the lines it cites."""

    system = SystemBriefSerializer(read_only=True)
    source = source_field()

    class Meta:
        model = DataQualityFlag
        fields = ["id", "key", "system", "issue", "handling", "source", "also_sources"]
