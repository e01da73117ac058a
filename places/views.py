from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import DetailView, TemplateView

from .models import Place
from .selectors import system_overview


class SystemOverviewView(TemplateView):
    template_name = "places/system_overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["system"], context["places"], context["population"] = system_overview()
        context["nav_section"] = "overview"
        return context


class PlaceDetailView(DetailView):
    template_name = "places/place_detail.html"
    context_object_name = "place"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Place.objects.select_related("system", "source_document").prefetch_related(
                "facts__source_document", "priorities__source_document"
            ),
            slug=self.kwargs["slug"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nav_section"] = "places"
        context["crumbs"] = [("Overview", reverse("places:system_overview"))]
        return context
