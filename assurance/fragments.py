"""The dashboards' heavy parts rendered to HTML and cached per published snapshot: the overview's
summary, matrix pages, outcomes and concern list, and a Place's tiles and each page of them.
Views read them; the warming task renders them ahead of the first visitor."""

import logging

from django.core.paginator import Paginator
from django.template.loader import render_to_string

from metrics.fragments import cached_fragments, fragment_key
from places.models import Place, System

from .selectors import (
    PLACE_TILES_PER_PAGE,
    latest_snapshot_ids,
    place_metrics,
    place_snapshot_ids,
    system_dashboard,
    with_snapshot_ids,
)

logger = logging.getLogger(__name__)


class NoSuchPage(LookupError):
    """The overview's matrix, or a Place's category of tiles, has no page of that number."""


OVERVIEW_TEMPLATES = {
    "summary": "assurance/includes/overview_summary.html",
    "matrix": "assurance/includes/overview_matrix.html",
    "outcomes": "assurance/includes/overview_outcomes.html",
    "concerns": "assurance/includes/concern_list.html",
}


def overview_key(name: str, *, system_id: int, snapshot_ids, page: int = 1) -> str:
    return fragment_key(f"overview-{name}", snapshot_ids, system_id, page)


def render_overview_fragments(*, system: System, snapshot_ids) -> dict[str, str]:
    """Every cached fragment of the overview and the concern list, by cache key: the summary
    (concerns and Place cards), each page of the matrix, the outcomes, the full concern list."""
    dashboard = system_dashboard(system=system)
    pages = dashboard["pages"]
    out = {}
    for name in ("summary", "outcomes", "concerns"):
        key = overview_key(name, system_id=system.pk, snapshot_ids=snapshot_ids)
        out[key] = render_to_string(OVERVIEW_TEMPLATES[name], {"dashboard": dashboard})
    for number, rows in enumerate(pages, start=1):
        key = overview_key("matrix", system_id=system.pk, snapshot_ids=snapshot_ids, page=number)
        context = {
            "dashboard": dashboard,
            "rows": rows,
            "page": number,
            "page_count": len(pages),
            # for the shared pagination include (one item a page)
            "page_obj": Paginator(pages, 1).page(number),
            "series_count": len(dashboard["rows"]),
        }
        out[key] = render_to_string(OVERVIEW_TEMPLATES["matrix"], context)
    return out


def overview_fragments(*, system: System, names: list[str], page: int = 1) -> dict[str, str]:
    """The overview's fragments named (from the cache, or rendered and cached): one query for
    the snapshot ids on a cache hit. NoSuchPage for a matrix page that does not exist."""
    snapshot_ids = latest_snapshot_ids(system_id=system.pk)
    keys = {
        name: overview_key(name, system_id=system.pk, snapshot_ids=snapshot_ids, page=page)
        if name == "matrix"
        else overview_key(name, system_id=system.pk, snapshot_ids=snapshot_ids)
        for name in names
    }

    def render():
        rendered = render_overview_fragments(system=system, snapshot_ids=snapshot_ids)
        if any(key not in rendered for key in keys.values()):
            raise NoSuchPage(page)
        return rendered

    return cached_fragments(keys, render)


PLACE_TEMPLATES = {
    "metrics": "assurance/includes/place_metrics.html",
    "workforce": "assurance/includes/place_workforce.html",
    "outcome_summary": "assurance/includes/place_outcome_summary.html",
}


PLACE_METRICS_PAGE_TEMPLATE = "assurance/includes/place_metrics_page.html"


def place_metrics_page_key(*, place_id: int, snapshot_ids, category: str, page: int) -> str:
    return fragment_key("place-metrics-page", snapshot_ids, place_id, category, page)


def render_place_fragments(*, place: Place, snapshot_ids) -> dict[str, str]:
    """Every cached fragment of a Place's metrics, by cache key: its page's tiles (the first of
    each category), workforce table and outcome summary, and each page of each category's
    tiles. Three queries (``place_metrics``')."""
    dashboard = place_metrics(place=place, snapshot_ids=snapshot_ids)
    context = {"place": place, "dashboard": dashboard}
    out = {
        fragment_key(f"place-{name}", snapshot_ids, place.pk): render_to_string(template, context)
        for name, template in PLACE_TEMPLATES.items()
    }
    for group in dashboard["tiles"]:
        pages = group["pages"]
        for number, rows in enumerate(pages, start=1):
            key = place_metrics_page_key(
                place_id=place.pk, snapshot_ids=snapshot_ids, category=group["key"], page=number
            )
            out[key] = render_to_string(
                PLACE_METRICS_PAGE_TEMPLATE,
                {
                    "place": place,
                    "dashboard": dashboard,
                    "group": group,
                    "rows": rows,
                    "page": number,
                    "page_count": len(pages),
                    "page_obj": Paginator(pages, 1).page(number),
                    "first": (number - 1) * PLACE_TILES_PER_PAGE + 1,
                    "last": (number - 1) * PLACE_TILES_PER_PAGE + len(rows),
                },
            )
    return out


def place_fragments(*, place: Place) -> dict[str, str]:
    """The HTML of a Place's metric tiles, workforce table and outcome summary, cached under
    the Place's and its system's latest snapshots (``with_snapshot_ids``): no query when
    cached, ``place_metrics``' three when not (which render and cache every page of tiles)."""
    snapshot_ids = place_snapshot_ids(place)
    keys = {name: fragment_key(f"place-{name}", snapshot_ids, place.pk) for name in PLACE_TEMPLATES}
    return cached_fragments(
        keys, lambda: render_place_fragments(place=place, snapshot_ids=snapshot_ids)
    )


def place_metrics_page(*, place: Place, category: str, page: int) -> str:
    """The HTML of one page of a Place's tiles of one category, cached like ``place_fragments``
    (no query when cached). NoSuchPage for a category without tiles or a page past the last."""
    snapshot_ids = place_snapshot_ids(place)
    key = place_metrics_page_key(
        place_id=place.pk, snapshot_ids=snapshot_ids, category=category, page=page
    )

    def render():
        rendered = render_place_fragments(place=place, snapshot_ids=snapshot_ids)
        if key not in rendered:
            raise NoSuchPage(page)
        return rendered

    return cached_fragments({"page": key}, render)["page"]


def warm_published_fragments(*, system_id: int, place_id: int | None) -> None:
    """Render and cache the fragments a newly published snapshot changes: a Place's tiles for
    a Place snapshot; the overview and every Place of the system for a system snapshot (the
    Places' keys include it). Run after the publish commits; a failure is logged, never
    raised (the pages render on a miss)."""
    try:
        places = with_snapshot_ids(Place.objects.select_related("system"))
        if place_id is not None:
            for place in places.filter(pk=place_id):
                place_fragments(place=place)
            return
        system = System.objects.get(pk=system_id)
        overview_fragments(system=system, names=["summary", "outcomes", "concerns"])
        for place in places.filter(system_id=system_id):
            place_fragments(place=place)
    except Exception:  # noqa: BLE001 - warming is an optimisation; pages render on a miss
        logger.warning("Warming page fragments after a publish failed", exc_info=True)
