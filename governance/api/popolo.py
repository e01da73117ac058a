"""The governance structure as Popolo JSON: organizations, persons and memberships."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from icsportal.api.permissions import PortalReadPermission

from ..models import Board, Membership, Organisation, Person, ReportingLine


def _sources(obj) -> list[dict]:
    if obj.source_document_id is None:
        return []
    doc = obj.source_document
    return [
        {
            "note": f"{doc.title}, line {obj.source_line}",
            "url": f"document:{doc.key}#L{obj.source_line}",
        }
    ]


def popolo_export() -> dict:
    """Boards and organisations as Popolo organizations (a board's parent is the first board it
    reports to), named people as persons, and seats as memberships."""
    boards = Board.objects.select_related("source_document").prefetch_related(
        # parent_id: the first reporting line of each board
        Prefetch(
            "reporting_lines",
            queryset=ReportingLine.objects.select_related("reports_to").order_by("order", "id"),
        )
    )
    organizations = []
    for board in boards:
        lines = list(board.reporting_lines.all())
        organizations.append(
            {
                "id": f"board/{board.slug}",
                "name": board.name,
                "classification": f"board ({board.get_level_display().lower()})",
                "parent_id": f"board/{lines[0].reports_to.slug}" if lines else None,
                "description": board.purpose or None,
                "other_names": [{"name": board.abbreviation}] if board.abbreviation else [],
                "sources": _sources(board),
            }
        )
    for org in Organisation.objects.select_related("source_document"):
        organizations.append(
            {
                "id": f"organisation/{org.key}",
                "name": org.name,
                "classification": org.get_kind_display().lower(),
                "other_names": [{"name": org.abbreviation}] if org.abbreviation else [],
                "sources": _sources(org),
            }
        )
    persons = [
        {"id": f"person/{p.key}", "name": p.name, "sources": _sources(p)}
        for p in Person.objects.select_related("source_document")
    ]
    memberships = []
    for m in Membership.objects.select_related(
        "board", "person", "on_behalf_of", "source_document"
    ):
        row = {
            "id": f"membership/{m.pk}",
            "organization_id": f"board/{m.board.slug}",
            "role": m.get_role_display().lower(),
            "label": m.label or None,
            "start_date": m.start_date.isoformat() if m.start_date else None,
            "end_date": m.end_date.isoformat() if m.end_date else None,
            "sources": _sources(m),
        }
        if m.person_id:
            row["person_id"] = f"person/{m.person.key}"
        if m.on_behalf_of_id:
            row["on_behalf_of_id"] = f"organisation/{m.on_behalf_of.key}"
        memberships.append({k: v for k, v in row.items() if v is not None})
    for org in organizations:
        for key in [k for k, v in org.items() if v is None]:
            del org[key]
    return {"organizations": organizations, "persons": persons, "memberships": memberships}


class PopoloExportView(APIView):
    """Every board, organisation, named person and seat as Popolo JSON."""

    # One object, not rows: JSON only (errors included).
    renderer_classes = [JSONRenderer]
    permission_classes = [PortalReadPermission]

    @extend_schema(
        responses={
            200: inline_serializer(
                "Popolo",
                fields={
                    "organizations": serializers.ListField(child=serializers.DictField()),
                    "persons": serializers.ListField(child=serializers.DictField()),
                    "memberships": serializers.ListField(child=serializers.DictField()),
                },
            )
        }
    )
    def get(self, request):
        return Response(popolo_export())
