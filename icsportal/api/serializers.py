"""Pieces every app's serializers use: the citation of a fact."""

from rest_framework import serializers


class SourceSerializer(serializers.Serializer):
    """Where a fact came from: the document and line ("Source: 5-year plan, line 506")."""

    document = serializers.CharField(source="source_document.key", allow_null=True)
    title = serializers.CharField(source="source_document.short_title", allow_null=True)
    line = serializers.IntegerField(source="source_line", allow_null=True)
    citation = serializers.CharField()

    def to_representation(self, instance):
        if instance.source_document_id is None:
            return {"document": None, "title": None, "line": None, "citation": ""}
        return super().to_representation(instance)


def source_field() -> SourceSerializer:
    return SourceSerializer(source="*", read_only=True)
