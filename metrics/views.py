import csv

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import DetailView, TemplateView

from governance.list_views import nhsuk_filter_form

from . import spc
from .filtersets import MetricFilterSet
from .models import Metric
from .selectors import metric_csv_rows, metric_detail, metric_index_rows
from .templatetags.spc_charts import NO_ASSURANCE_LABEL


class MetricListView(TemplateView):
    """Every metric, filterable with the same FilterSet as the API."""

    template_name = "metrics/metric_list.html"

    def get_context_data(self, **kwargs):
        # owner_board: named and linked on each row; source_document: each row's citation
        queryset = Metric.objects.select_related("owner_board", "source_document")
        filterset = MetricFilterSet(self.request.GET or None, queryset=queryset)
        nhsuk_filter_form(filterset.form, text_fields=("q", "modified_since"))
        return super().get_context_data(
            filter=filterset,
            rows=metric_index_rows(filterset.qs),
            filtered=filterset.is_bound,
            nav_section="metrics",
            **kwargs,
        )


class MetricDetailView(DetailView):
    """A metric: definition, targets, a chart and data table per subject; ?format=csv."""

    template_name = "metrics/metric_detail.html"
    context_object_name = "metric"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Metric.objects.select_related("owner_board", "source_document"),
            code=self.kwargs["code"],
        )

    def render_to_response(self, context, **response_kwargs):
        if self.request.GET.get("format") == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{self.object.code}.csv"'
            writer = csv.writer(response)
            writer.writerows(metric_csv_rows(self.object, context["detail"]))
            return response
        return super().render_to_response(context, **response_kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            detail=metric_detail(metric=self.object),
            nav_section="metrics",
            crumbs=[("Metrics", reverse("metrics:metric_list"))],
            **kwargs,
        )


class SPCIconsView(TemplateView):
    """What each variation and assurance icon means, and how the portal calculates SPC."""

    template_name = "about/icons.html"

    def get_context_data(self, **kwargs):
        variations = [{"code": code, "label": spc.LABELS[code]} for code in spc.VARIATIONS]
        assurances = [{"code": code, "label": spc.LABELS[code]} for code in spc.ASSURANCES] + [
            {"code": "", "label": NO_ASSURANCE_LABEL}
        ]
        return super().get_context_data(
            variations=variations,
            assurances=assurances,
            limit=spc.LIMIT,
            limit_close=f"{spc.LIMIT_CLOSE:.2f}",
            outlier_screen=spc.OUTLIER_SCREEN,
            run_length=spc.RUN_LENGTH,
            trend_length=spc.TREND_LENGTH,
            min_points=spc.MIN_POINTS,
            crumbs=[("Overview", reverse("places:system_overview"))],
            **kwargs,
        )
