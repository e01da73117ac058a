from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import DetailView, TemplateView

from .choices import FactKind
from .models import Fact, Place, Priority
from .outcome_selectors import efficiency_requirement, place_finance, place_outcomes
from .selectors import fact_row, place_dashboard, system_dashboard


class SystemOverviewView(TemplateView):
    template_name = "places/system_overview.html"

    def get_context_data(self, **kwargs):
        dashboard = system_dashboard()
        finance = efficiency_requirement(system=dashboard["system"]) if dashboard else None
        return super().get_context_data(
            dashboard=dashboard, finance=finance, nav_section="overview", **kwargs
        )


class PlaceDetailView(DetailView):
    template_name = "places/place_detail.html"
    context_object_name = "place"

    def get_object(self, queryset=None):
        # facts, priorities: listed with their citations
        return get_object_or_404(
            Place.objects.select_related("system", "source_document").prefetch_related(
                Prefetch("facts", queryset=Fact.objects.select_related("source_document")),
                Prefetch("priorities", queryset=Priority.objects.select_related("source_document")),
            ),
            slug=self.kwargs["slug"],
        )

    def get_context_data(self, **kwargs):
        place = self.object
        facts = list(place.facts.all())
        return super().get_context_data(
            dashboard=place_dashboard(place=place),
            population=[fact_row(f) for f in facts if f.kind == FactKind.POPULATION and f.value],
            background=[
                fact_row(f)
                for f in facts
                if f.kind == FactKind.BACKGROUND or (f.kind == FactKind.POPULATION and not f.value)
            ],
            health=[fact_row(f) for f in facts if f.kind == FactKind.HEALTH],
            outcomes=place_outcomes(place=place),
            finance=place_finance(place=place),
            nav_section="places",
            crumbs=[("Overview", reverse("places:system_overview"))],
            **kwargs,
        )
