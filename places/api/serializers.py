from rest_framework import serializers

from icsportal.api.serializers import source_field

from ..models import Document, Place, Priority, System


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
