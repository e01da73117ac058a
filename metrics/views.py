from django.shortcuts import get_object_or_404
from django.views.generic import DetailView

from .models import Metric


class MetricDetailView(DetailView):
    template_name = "metrics/metric_detail.html"
    context_object_name = "metric"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Metric.objects.select_related("owner_board", "source_document").prefetch_related(
                "series__place",
                "series__organisation",
                "series__system",
                "series__targets",
                "statements__source_document",
            ),
            code=self.kwargs["code"],
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(nav_section="metrics", **kwargs)
