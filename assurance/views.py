"""The composite pages: the system overview, the concern list, a Place's page and its sections,
and a board's page with the metrics, risks and outcomes it answers for."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.generic import DetailView, TemplateView

from governance import meeting_selectors
from governance import selectors as board_selectors
from governance.models import Board
from governance.permissions import can_edit_board
from governance.structure import place_structure, system_structure
from governance.views import BoardPageMixin
from icsportal.page_dates import AsAtPageMixin
from icsportal.paging import page_number
from icsportal.roles import is_admin
from metrics.choices import Category
from metrics.fragments import cached_fragments, fragment_key
from places.choices import FactKind
from places.content_version import version_subquery
from places.models import Place, Priority
from places.pages import page_system
from places.selectors import QualityFlags, facts_with_flags

from . import risk_selectors
from .fragments import NoSuchPage, overview_fragments, place_fragments, place_metrics_page
from .outcome_selectors import (
    board_outcomes,
    efficiency_requirement,
    finance_notes,
    place_finance,
    place_outcomes,
)
from .selectors import (
    board_for_page,
    fact_row,
    fact_sections,
    place_boards,
    place_hicm,
    place_snapshot_ids,
    system_overview_head,
    with_snapshot_ids,
)


def _safe(fragments: dict[str, str]) -> dict[str, str]:
    # Fragments are rendered by the portal's own templates, every value escaped.
    return {k: mark_safe(v) for k, v in fragments.items()}  # noqa: S308 # nosec B308 B703


class SystemOverviewView(AsAtPageMixin, TemplateView):
    """The system: concerns, Place cards, a page of the matrix, outcomes, finance, figures.
    ``?as_at=`` (or ``active_on``) shows instead the structure on that date: the Places,
    organisations and boards in being then."""

    template_name = "assurance/system_overview.html"

    def get_context_data(self, **kwargs):
        system = page_system(self.request, required=False)
        if system is not None and self.as_at is not None:
            return super().get_context_data(
                system=system,
                structure=system_structure(system, self.as_at),
                as_at=self.as_at,
                today_url=f"{reverse('assurance:system_overview')}?system={system.slug}",
                nav_section="overview",
                **kwargs,
            )
        head = system_overview_head(system=system) if system else None
        fragments, finance = {}, None
        if head is not None:
            page = page_number(self.request)
            try:
                fragments = overview_fragments(
                    system=head["system"], names=["summary", "matrix", "outcomes"], page=page
                )
            except NoSuchPage:
                raise Http404("The matrix has no such page.") from None
            fragments = _safe(fragments)
            finance = efficiency_requirement(system=head["system"])
        return super().get_context_data(
            dashboard=head, fragments=fragments, finance=finance, nav_section="overview", **kwargs
        )


class ConcernListView(TemplateView):
    """Every series of the system in special-cause concern in the latest snapshots."""

    template_name = "assurance/concern_list.html"

    def get_context_data(self, **kwargs):
        system = page_system(self.request, required=False)
        fragments = _safe(overview_fragments(system=system, names=["concerns"])) if system else {}
        return super().get_context_data(
            system=system,
            fragments=fragments,
            nav_section="overview",
            crumbs=[("Overview", reverse("assurance:system_overview"))],
            **kwargs,
        )


class PlaceDetailView(AsAtPageMixin, DetailView):
    """A Place: its metrics, boards, priorities, outcomes, finance and facts; ``?as_at=`` (or
    ``active_on``) shows instead its structure on that date: its system then, and the
    organisations serving it and its boards in being then."""

    template_name = "assurance/place_detail.html"
    content_template = "assurance/includes/place_content.html"
    structure_template = "assurance/includes/place_structure.html"
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
            # One index of the doubts for the facts and the priorities.
            flags = QualityFlags(system_id=place.system_id)
            facts = facts_with_flags(system_id=place.system_id, place_id=place.pk, index=flags)
            # A figure with a label ("103,443 residents") is a row; every other fact, stated
            # in a sentence (the White British share, 2011), is in its topic's section.
            figures = [f for f in facts if f.kind == FactKind.POPULATION and f.value and f.label]
            context = {
                "place": place,
                "fragments": _safe(place_fragments(place=place)),
                "boards": place_boards(place=place),
                "hicm": place_hicm(place=place),
                "priorities": flags.attach(
                    list(place.priorities.select_related("source_document"))
                ),
                "population": [fact_row(f) for f in figures],
                "fact_sections": fact_sections([f for f in facts if f not in figures]),
            }
            return {key: render_to_string(self.content_template, context)}

        return cached_fragments({"content": key}, render)["content"]

    def _structure(self, place, structure) -> str:
        """The Place's structure on the ``as_at`` date, as HTML (not cached: a page of a few
        rows, asked for rarely)."""
        context = {
            "place": place,
            "structure": structure,
            "as_at": self.as_at,
            "today_url": place.get_absolute_url(),
        }
        return render_to_string(self.structure_template, context, request=self.request)

    def get_context_data(self, **kwargs):
        overview = reverse("assurance:system_overview")
        if self.as_at is None:
            content = self._content(self.object)
        else:
            structure = place_structure(self.object, self.as_at)
            content = self._structure(self.object, structure)
            # Back to the overview of the Place's system on the same date.
            overview += f"?system={structure.system.slug}&as_at={self.as_at.isoformat()}"
        return super().get_context_data(
            content=_safe({"content": content})["content"],
            as_at=self.as_at,
            nav_section="places",
            crumbs=[("Overview", overview)],
            **kwargs,
        )


class PlaceMetricsView(DetailView):
    """A page of one category of a Place's metric tiles (``?category=<key>&page=<n>``): the
    Place's page shows the first of each category and links here for the rest."""

    template_name = "assurance/place_metrics.html"
    context_object_name = "place"

    def get(self, request, *args, **kwargs):
        if not request.GET.get("category"):
            return redirect(reverse("assurance:place_detail", args=[kwargs["slug"]]) + "#metrics")
        return super().get(request, *args, **kwargs)

    def get_object(self, queryset=None):
        # system: named on the page; the snapshot ids: the key of the cached page of tiles
        return get_object_or_404(
            with_snapshot_ids(Place.objects.select_related("system")), slug=self.kwargs["slug"]
        )

    def get_context_data(self, **kwargs):
        place = self.object
        labels = dict(Category.choices)
        category = self.request.GET["category"]
        if category not in labels:
            raise Http404("No such category of metrics.")
        page = page_number(self.request)
        try:
            content = place_metrics_page(place=place, category=category, page=page)
        except NoSuchPage:
            raise Http404("That category has no such page of metrics.") from None
        return super().get_context_data(
            content=_safe({"content": content})["content"],
            category=labels[category],
            page=page,
            nav_section="places",
            current=f"{labels[category]} metrics",
            crumbs=[
                ("Overview", reverse("assurance:system_overview")),
                (place.name, place.get_absolute_url()),
            ],
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
                ("Overview", reverse("assurance:system_overview")),
                (place.name, place.get_absolute_url()),
            ],
            **kwargs,
        )


class PlaceOutcomesView(PlaceSectionView):
    """How a Place's priorities and series roll up to the system's three outcomes."""

    template_name = "assurance/place_outcomes.html"
    section = "Outcomes"

    def get_context_data(self, **kwargs):
        return super().get_context_data(outcomes=place_outcomes(place=self.object), **kwargs)


class PlaceFinanceView(PlaceSectionView):
    """A Place's financial figures: its targets and the positions of the CCG footprints."""

    template_name = "assurance/place_finance.html"
    section = "Finance"

    def get_context_data(self, **kwargs):
        finance = QualityFlags(system_id=self.object.system_id).attach(
            place_finance(place=self.object)
        )
        return super().get_context_data(
            finance=finance, finance_notes=finance_notes(finance), **kwargs
        )


class BoardDetailView(BoardPageMixin, TemplateView):
    """A board: its members, gaps and history (governance), with the metrics it owns, its risks
    and the outcomes its Place's priorities serve."""

    template_name = "assurance/board_detail.html"

    def get_context_data(self, **kwargs):
        try:
            board = board_for_page(self.kwargs["slug"])
        except Board.DoesNotExist:
            raise Http404("No such board.") from None
        today = timezone.localdate()
        context = super().get_context_data(**kwargs)
        context.update(self.board_context(board))
        context["crumbs"] = context["crumbs"][:1]
        # The data-quality doubts about the lines the board, its seats and statements cite.
        flags = QualityFlags(system_id=board.system_id)
        seats = flags.attach(board_selectors.seats_with_days_left(board, today))
        context.update(
            today=today,
            board_flags=flags.of(board),
            statements=flags.attach(list(board.statements.all())),
            # workstream: named; source_document: the line that says the board leads it
            led=list(board.leads.select_related("workstream", "source_document")),
            seats=seats,
            missing=board_selectors.organisations_missing(board),
            quorum=board_selectors.quorum_status(board),
            history=board_selectors.board_history(board),
            can_edit=can_edit_board(self.request.user, board),
            board_risks=risk_selectors.board_risks(board),
            board_outcomes=board_outcomes(board=board),
            meetings=meeting_selectors.board_meetings(board, self.request.user),
            lineage=board_selectors.lineage_of(board),
            record_lineage_url=(
                f"{reverse('lineage:succession_record')}?body=board&system={board.system.slug}"
                f"&predecessor={board.pk}"
                if is_admin(self.request.user)
                else ""
            ),
        )
        return context
