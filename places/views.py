from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.generic import DetailView, TemplateView

from metrics.selectors import cached_fragments, fragment_key

from .choices import FactKind
from .content_version import version_subquery
from .models import Place, Priority, System
from .outcome_selectors import efficiency_requirement, place_finance, place_outcomes
from .selectors import (
    fact_row,
    overview_fragments,
    place_boards,
    place_fragments,
    place_hicm,
    place_snapshot_ids,
    system_overview_head,
    with_snapshot_ids,
)


def _safe(fragments: dict[str, str]) -> dict[str, str]:
    # Fragments are rendered by the portal's own templates, every value escaped.
    return {k: mark_safe(v) for k, v in fragments.items()}  # noqa: S308 # nosec B308 B703


def _page_number(request) -> int:
    from django.http import Http404

    raw = request.GET.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise Http404("No such page of the matrix.")
    return int(raw)


class SystemOverviewView(TemplateView):
    """The system: concerns, Place cards, a page of the matrix, outcomes, finance, figures."""

    template_name = "places/system_overview.html"

    def get_context_data(self, **kwargs):
        head = system_overview_head()
        fragments, finance = {}, None
        if head is not None:
            page = _page_number(self.request)
            fragments = _safe(
                overview_fragments(
                    system=head["system"], names=["summary", "matrix", "outcomes"], page=page
                )
            )
            finance = efficiency_requirement(system=head["system"])
        return super().get_context_data(
            dashboard=head, fragments=fragments, finance=finance, nav_section="overview", **kwargs
        )


class SystemConcernsView(TemplateView):
    """Every series of the system in special-cause concern in the latest snapshots."""

    template_name = "places/concern_list.html"

    def get_context_data(self, **kwargs):
        system = System.objects.first()
        fragments = _safe(overview_fragments(system=system, names=["concerns"])) if system else {}
        return super().get_context_data(
            system=system,
            fragments=fragments,
            nav_section="overview",
            crumbs=[("Overview", reverse("places:system_overview"))],
            **kwargs,
        )


class PlaceDetailView(DetailView):
    template_name = "places/place_detail.html"
    content_template = "places/includes/place_content.html"
    context_object_name = "place"

    def get_object(self, queryset=None):
        # system: named on the page; the snapshot ids and the content version: the key of
        # the cached page, read in the Place's own query
        return get_object_or_404(
            with_snapshot_ids(Place.objects.select_related("system", "source_document")).annotate(
                content_version=version_subquery()
            ),
            slug=self.kwargs["slug"],
        )

    def _content(self, place) -> str:
        """Everything under the page's heading, as HTML, cached under the Place's snapshots,
        the content version and today's date (boards show today's members)."""
        today = timezone.localdate()
        key = fragment_key(
            "place-page", place_snapshot_ids(place), place.pk, place.content_version, today
        )

        def render():
            facts = list(place.facts.select_related("source_document"))
            context = {
                "place": place,
                "fragments": _safe(place_fragments(place=place)),
                "boards": place_boards(place=place),
                "hicm": place_hicm(place=place),
                "priorities": list(place.priorities.select_related("source_document")),
                "population": [
                    fact_row(f) for f in facts if f.kind == FactKind.POPULATION and f.value
                ],
                "background": [
                    fact_row(f)
                    for f in facts
                    if f.kind == FactKind.BACKGROUND
                    or (f.kind == FactKind.POPULATION and not f.value)
                ],
                "health": [fact_row(f) for f in facts if f.kind == FactKind.HEALTH],
            }
            return {key: render_to_string(self.content_template, context)}

        return cached_fragments({"content": key}, render)["content"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            content=_safe({"content": self._content(self.object)})["content"],
            nav_section="places",
            crumbs=[("Overview", reverse("places:system_overview"))],
            **kwargs,
        )


class PlaceSectionView(DetailView):
    """A section of a Place's page on a page of its own."""

    context_object_name = "place"
    section = ""

    def get_object(self, queryset=None):
        # system: named on the page; priorities: the outcomes roll-up reads them
        return get_object_or_404(
            Place.objects.select_related("system", "source_document").prefetch_related(
                Prefetch("priorities", queryset=Priority.objects.select_related("source_document"))
            ),
            slug=self.kwargs["slug"],
        )

    def get_context_data(self, **kwargs):
        place = self.object
        return super().get_context_data(
            nav_section="places",
            current=self.section,
            crumbs=[
                ("Overview", reverse("places:system_overview")),
                (place.name, place.get_absolute_url()),
            ],
            **kwargs,
        )


class PlaceOutcomesView(PlaceSectionView):
    """How a Place's priorities and series roll up to the system's three outcomes."""

    template_name = "places/place_outcomes.html"
    section = "Outcomes"

    def get_context_data(self, **kwargs):
        return super().get_context_data(outcomes=place_outcomes(place=self.object), **kwargs)


class PlaceFinanceView(PlaceSectionView):
    """A Place's financial figures: its targets and the positions of the CCG footprints."""

    template_name = "places/place_finance.html"
    section = "Finance"

    def get_context_data(self, **kwargs):
        return super().get_context_data(finance=place_finance(place=self.object), **kwargs)
