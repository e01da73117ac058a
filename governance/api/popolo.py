"""The governance structure as Popolo JSON: organizations, persons, memberships and events."""

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from icsportal.api.permissions import PortalReadPermission
from icsportal.roles import visible_rows

from ..meeting_selectors import items_for, meetings_for
from ..models import (
    AgendaItem,
    Board,
    Meeting,
    Membership,
    Organisation,
    Person,
    ReportingLine,
)


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


def _dates(obj) -> dict:
    """Popolo's founding and dissolution dates, where the body's ``valid_from``/``valid_to``
    are stated (successions set them)."""
    dates = {"founding_date": obj.valid_from, "dissolution_date": obj.valid_to}
    return {name: day.isoformat() for name, day in dates.items() if day is not None}


def _popolo_id(kind: str, row) -> str:
    """An organisation's or person's Popolo id: its key is unique only within its system, so
    the id names the system too (``organisation/coventry-and-warwickshire/org_uhcw``). Boards'
    slugs are unique across the portal (``board/<slug>``)."""
    return f"{kind}/{row.system.slug}/{row.key}"


def _popolo_time(value) -> str:
    """A date-time as Popolo's pattern takes it: local time to the second, with its offset."""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def popolo_events(user=None) -> list[dict]:
    """Meetings as Popolo events, their agenda items as child events: the public ones, and the
    private ones of the boards ``user`` may read privately (none without a user)."""
    if user is None:
        meetings = Meeting.objects.filter(is_public=True)
        items = AgendaItem.objects.filter(is_public=True, meeting__is_public=True)
    else:
        # Roles are per system: only the meetings of the boards of the user's systems.
        meetings = visible_rows(user, meetings_for(user))
        items = items_for(user)
    events = []
    # items: each meeting's visible agenda, as its children
    for meeting in meetings.select_related("board").prefetch_related(
        Prefetch("items", queryset=items.order_by("number", "id"), to_attr="visible_items")
    ):
        event = {
            "id": f"meeting/{meeting.pk}",
            "name": meeting.title or f"{meeting.board.name} meeting",
            "start_date": _popolo_time(meeting.start),
            "status": meeting.status,
            "classification": "meeting",
            "organization_id": f"board/{meeting.board.slug}",
            "created_at": _popolo_time(meeting.created_at),
            "updated_at": _popolo_time(meeting.modified_at),
            "children": [
                {
                    "id": f"agenda-item/{item.pk}",
                    "name": f"{item.number}. {item.title}",
                    "classification": f"agenda item ({item.get_purpose_display().lower()})",
                    "parent_id": f"meeting/{meeting.pk}",
                }
                for item in meeting.visible_items
            ],
        }
        if meeting.end:
            event["end_date"] = _popolo_time(meeting.end)
        if meeting.location or meeting.link:
            event["location"] = meeting.location or meeting.link
        events.append(event)
    return events


def popolo_export(user) -> dict:
    """Boards and organisations as Popolo organizations (a board's parent is the first board it
    reports to), named people as persons, seats as memberships, and meetings as events (private
    ones only for those who may read them): those of the systems the user may see."""

    def visible(queryset):
        return visible_rows(user, queryset)

    boards = (
        visible(Board.objects.all())
        .select_related("source_document")
        .prefetch_related(
            # parent_id: the first reporting line of each board
            Prefetch(
                "reporting_lines",
                queryset=ReportingLine.objects.select_related("reports_to").order_by("order", "id"),
            )
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
                **_dates(board),
            }
        )
    # system: each id names it
    for org in visible(Organisation.objects.select_related("system", "source_document")):
        organizations.append(
            {
                "id": _popolo_id("organisation", org),
                "name": org.name,
                "classification": org.get_kind_display().lower(),
                "other_names": [{"name": org.abbreviation}] if org.abbreviation else [],
                "sources": _sources(org),
                **_dates(org),
            }
        )
    persons = [
        {"id": _popolo_id("person", p), "name": p.name, "sources": _sources(p)}
        for p in visible(Person.objects.select_related("system", "source_document"))
    ]
    memberships = []
    for m in visible(Membership.objects.all()).select_related(
        "board", "person__system", "on_behalf_of__system", "source_document"
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
            row["person_id"] = _popolo_id("person", m.person)
        if m.on_behalf_of_id:
            row["on_behalf_of_id"] = _popolo_id("organisation", m.on_behalf_of)
        memberships.append({k: v for k, v in row.items() if v is not None})
    for org in organizations:
        for key in [k for k, v in org.items() if v is None]:
            del org[key]
    return {
        "organizations": organizations,
        "persons": persons,
        "memberships": memberships,
        "events": popolo_events(user),
    }


class PopoloExportView(APIView):
    """Every board, organisation, named person and seat of the systems the user may see, as
    Popolo JSON."""

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
                    "events": serializers.ListField(child=serializers.DictField()),
                },
            )
        }
    )
    def get(self, request):
        return Response(popolo_export(request.user))
