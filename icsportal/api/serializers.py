"""Pieces every app's serializers use: the citation of a fact, and rows built from values.

A list serializer may also build its rows from ``QuerySet.values()`` dicts instead of model
instances (``row_values`` names the columns, ``row()`` builds one row): the list endpoints do
that, since instantiating every joined model and walking the serializer's fields cost far more
than the query. ``row()`` returns exactly what the serializer itself returns for the same
object; tests/api/test_rows.py holds each one to that.
"""

import datetime as dt

from django.utils import timezone
from rest_framework import serializers


def iso_datetime(value: dt.datetime | None) -> str | None:
    """A datetime as DRF's ``DateTimeField`` writes it: the portal's time zone, ISO 8601, ``Z``.

    The portal never activates another zone, so the current zone is always the default one;
    reading the default (cached by Django) spares every row of a list the per-request lookup
    that ``timezone.localtime()`` makes.
    """
    if not value:
        return None
    text = value.astimezone(timezone.get_default_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


# The columns ``source_row`` reads, after the path of the row's model (``""`` for the model).
SOURCE_VALUES = (
    "source_document_id",
    "source_document__key",
    "source_document__short_title",
    "source_line",
)
NO_SOURCE = {"document": None, "title": None, "line": None, "citation": ""}


def source_values(prefix: str = "") -> tuple[str, ...]:
    return tuple(prefix + name for name in SOURCE_VALUES)


def source_row(values: dict, prefix: str = "") -> dict:
    """What ``SourceSerializer`` gives for the row whose ``source_values(prefix)`` are these."""
    if values[prefix + "source_document_id"] is None:
        return dict(NO_SOURCE)
    title = values[prefix + "source_document__short_title"]
    line = values[prefix + "source_line"]
    return {
        "document": values[prefix + "source_document__key"],
        "title": title,
        "line": line,
        "citation": f"{title}, line {line}" if line else title,
    }


class SourceSerializer(serializers.Serializer):
    """Where a fact came from: the document and line ("Source: 5-year plan, line 506")."""

    document = serializers.CharField(source="source_document.key", allow_null=True)
    title = serializers.CharField(source="source_document.short_title", allow_null=True)
    line = serializers.IntegerField(source="source_line", allow_null=True)
    citation = serializers.CharField()

    def to_representation(self, instance):
        if instance.source_document_id is None:
            return dict(NO_SOURCE)
        return super().to_representation(instance)


def source_field() -> SourceSerializer:
    return SourceSerializer(source="*", read_only=True)


def none_if_blank(value: str | None) -> str | None:
    """The empty string (the database's "none" for text) as None."""
    return value or None


class NoneIfBlankField(serializers.CharField):
    """Text that may be absent (no assurance, no variation): null in JSON and in the schema,
    an empty cell in CSV; never ``""``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return none_if_blank(value)
