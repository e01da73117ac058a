"""The dashboards as the pages show them: a Place's page's series, grouped by category as its
tiles are, and the system overview's, grouped by metric as its matrix is."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from icsportal.api.permissions import PortalReadPermission
from metrics.api.serializers import SummarySerializer
from metrics.models import SeriesSummary, Snapshot
from metrics.selectors import system_rows
from places.models import Place, System

from ..selectors import latest_snapshot_ids, place_metrics, place_snapshot_ids, with_snapshot_ids

SNAPSHOT = inline_serializer(
    "SnapshotInfo",
    fields={
        "id": serializers.IntegerField(),
        "published_at": serializers.DateTimeField(),
        "scope": serializers.CharField(),
    },
)
NAMED = inline_serializer(
    "DashboardSubject", fields={"slug": serializers.CharField(), "name": serializers.CharField()}
)
DASHBOARD = inline_serializer(
    "Dashboard",
    fields={
        "snapshot": SNAPSHOT,
        "snapshots": SNAPSHOT.__class__(many=True),
        "place": NAMED.__class__(allow_null=True),
        "system": NAMED,
        "group_by": serializers.ChoiceField(choices=["category", "metric"]),
        "groups": inline_serializer(
            "DashboardGroup",
            many=True,
            fields={
                "name": serializers.CharField(),
                "series": serializers.ListField(child=serializers.IntegerField()),
            },
        ),
        "series": SummarySerializer(many=True),
    },
)
DASHBOARD_LIST = inline_serializer(
    "DashboardLink",
    many=True,
    fields={
        "kind": serializers.ChoiceField(choices=["system", "place"]),
        "slug": serializers.CharField(),
        "name": serializers.CharField(),
        "system": serializers.CharField(),
        "url": serializers.URLField(),
    },
)
SYSTEM_PARAMETER = OpenApiParameter(
    "system", str, description="The system's slug (default: the first by name)"
)


def _snapshot(snapshot: Snapshot) -> dict:
    return {"id": snapshot.pk, "published_at": snapshot.published_at, "scope": snapshot.scope_key}


def _dashboard(*, system: System, place: Place | None, snapshot_ids: list[int], groups) -> dict:
    """The response: the snapshots read, and every series in the page's order and groups."""
    if not snapshot_ids:
        raise Http404("No snapshot has been published for this dashboard yet.")
    order = [series_id for _, ids in groups for series_id in ids]
    # Rows from .values(): a dashboard has hundreds of series, and their chart points stay
    # behind. The page's own selector chose them; this reads their figures unformatted.
    values = SeriesSummary.objects.filter(snapshot_id__in=snapshot_ids, series_id__in=order).values(
        *SummarySerializer.row_values
    )
    rows = {v["series_id"]: SummarySerializer.row(v) for v in values}
    snapshots = Snapshot.objects.filter(pk__in=snapshot_ids).order_by("place_id", "pk")
    infos = [_snapshot(s) for s in snapshots]
    # The dashboard's own scope: the Place's snapshot, or the system's.
    own = next((s for s in snapshots if (s.place_id is None) == (place is None)), None)
    return {
        "snapshot": _snapshot(own) if own else infos[0],
        "snapshots": infos,
        "place": {"slug": place.slug, "name": place.name} if place else None,
        "system": {"slug": system.slug, "name": system.name},
        "group_by": "category" if place else "metric",
        "groups": [{"name": name, "series": ids} for name, ids in groups],
        "series": [rows[i] for i in order if i in rows],
    }


def place_dashboard(place: Place) -> dict:
    """A Place's dashboard: the series its page shows (its own and those of the organisations
    serving it), grouped by category as its tiles are."""
    snapshot_ids = place_snapshot_ids(place)
    if not snapshot_ids:
        raise Http404("No snapshot has been published for this dashboard yet.")
    tiles = place_metrics(place=place, snapshot_ids=snapshot_ids)["tiles"]
    groups = [(t["category"], [r["series_id"] for r in t["rows"]]) for t in tiles]
    return _dashboard(system=place.system, place=place, snapshot_ids=snapshot_ids, groups=groups)


def system_dashboard(system: System) -> dict:
    """A system's dashboard: every series of the overview's matrix, grouped by metric as it is."""
    groups: dict[str, list[int]] = {}
    for row in system_rows(system_id=system.pk):
        groups.setdefault(row["metric_code"], []).append(row["series_id"])
    return _dashboard(
        system=system,
        place=None,
        snapshot_ids=latest_snapshot_ids(system_id=system.pk),
        groups=list(groups.items()),
    )


def _system(request) -> System:
    systems = System.objects.order_by("name")
    wanted = request.query_params.get("system")
    system = get_object_or_404(systems, slug=wanted) if wanted else systems.first()
    if system is None:
        raise Http404("No system is loaded.")
    return system


class DashboardListView(APIView):
    """Every dashboard: each system's and each Place's, with its URL."""

    # One short list, not a table: JSON only (errors included).
    renderer_classes = [JSONRenderer]
    permission_classes = [PortalReadPermission]

    @extend_schema(responses={200: DASHBOARD_LIST})
    def get(self, request):
        found = []
        for system in System.objects.prefetch_related("places").order_by("name"):
            found.append(
                {
                    "kind": "system",
                    "slug": system.slug,
                    "name": system.name,
                    "system": system.slug,
                    "url": reverse("api:dashboard_place", [system.slug], request=request),
                }
            )
            for place in sorted(system.places.all(), key=lambda p: p.name):
                url = reverse("api:dashboard_place", [place.slug], request=request)
                found.append(
                    {
                        "kind": "place",
                        "slug": place.slug,
                        "name": place.name,
                        "system": system.slug,
                        "url": url if place.slug != system.slug else f"{url}?system={system.slug}",
                    }
                )
        return Response(found)


class DashboardView(APIView):
    """A dashboard as its page shows it, from the latest published snapshots: every series'
    summary, grouped as the page groups them."""

    renderer_classes = [JSONRenderer]
    permission_classes = [PortalReadPermission]

    @extend_schema(responses={200: DASHBOARD}, parameters=[SYSTEM_PARAMETER])
    def get(self, request, slug=None):
        if slug is None:
            return Response(system_dashboard(_system(request)))
        places = with_snapshot_ids(Place.objects.select_related("system"))
        wanted = request.query_params.get("system")
        if wanted:
            places = places.filter(system__slug=wanted)
        place = places.filter(slug=slug).order_by("system__name").first()
        if place is not None:
            return Response(place_dashboard(place))
        systems = System.objects.filter(slug=slug)
        if wanted:
            systems = systems.filter(slug=wanted)
        return Response(system_dashboard(get_object_or_404(systems)))
