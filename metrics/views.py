import csv

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.generic import DetailView, TemplateView

from governance.list_views import nhsuk_filter_form
from places.content_version import version_subquery
from places.models import System
from places.selectors import outcome_titles

from . import spc
from .filtersets import MetricFilterSet
from .fragments import cached_fragments, fragment_key
from .models import Metric
from .selectors import (
    latest_snapshots,
    member_rows,
    metric_charts,
    metric_csv_rows,
    metric_index_rows,
    owner_board_with_members,
)
from .templatetags.spc_charts import NO_ASSURANCE_LABEL

# The metrics list shows this many metrics a page (400 metrics were 650 KB of HTML).
METRICS_PER_PAGE = 50


class MetricListView(TemplateView):
    """Every metric, filterable with the same FilterSet as the API, 50 a page (``?page=``)."""

    template_name = "metrics/metric_list.html"

    def get_context_data(self, **kwargs):
        # owner_board: named and linked on each row; source_document: each row's citation
        queryset = Metric.objects.select_related("owner_board", "source_document")
        filterset = MetricFilterSet(self.request.GET or None, queryset=queryset)
        nhsuk_filter_form(filterset.form, text_fields=("q", "modified_since"))
        paginator = Paginator(filterset.qs, METRICS_PER_PAGE)
        try:
            page = paginator.page(self.request.GET.get("page") or 1)
        except InvalidPage:
            raise Http404("No such page of metrics.") from None
        return super().get_context_data(
            filter=filterset,
            page_obj=page,
            rows=metric_index_rows(page.object_list),
            filtered=filterset.is_bound,
            nav_section="metrics",
            **kwargs,
        )


class MetricDetailView(DetailView):
    """A metric: definition, targets, a chart and data table per subject of one system
    (``?system=<slug>``, the first by name when none is given); ``?format=csv``."""

    template_name = "metrics/metric_detail.html"
    context_object_name = "metric"
    charts_template = "metrics/includes/metric_charts.html"
    content_template = "metrics/includes/metric_content.html"

    def get_object(self, queryset=None):
        # owner_board: named on the page, with its seats; source_document: the citation;
        # the content version: part of the key of the cached page
        return get_object_or_404(
            Metric.objects.select_related("owner_board", "source_document").annotate(
                content_version=version_subquery()
            ),
            code=self.kwargs["code"],
        )

    def _systems(self):
        """Every system (for the selector) and the one asked for."""
        systems = list(System.objects.only("pk", "slug", "name").order_by("name"))
        wanted = self.request.GET.get("system")
        if not wanted:
            return systems, systems[0] if systems else None
        for system in systems:
            if system.slug == wanted:
                return systems, system
        raise Http404("No system has that name.")

    def render_to_response(self, context, **response_kwargs):
        if self.request.GET.get("format") == "csv":
            system = context["system"]
            detail = metric_charts(metric=self.object, system_id=system.pk if system else None)
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{self.object.code}.csv"'
            writer = csv.writer(response)
            writer.writerows(metric_csv_rows(self.object, detail))
            return response
        return super().render_to_response(context, **response_kwargs)

    def _content(self, systems, system) -> str:
        """Everything under the page's heading, as HTML: cached under the system's latest
        snapshots, the content version and today's date (the owner board's members today)."""
        metric = self.object
        system_id = system.pk if system else None
        snapshot_ids = latest_snapshots(system_id=system_id).values_list("pk", flat=True)
        today = timezone.localdate()
        key = fragment_key(
            "metric-page", snapshot_ids, metric.pk, system_id, metric.content_version, today
        )

        def render():
            board = owner_board_with_members(metric)
            detail = {
                "owner_board": board,
                "owner_members": member_rows(board) if board else [],
                "statements": list(metric.statements.select_related("source_document")),
                "synthetic": metric.is_synthetic,
                "outcome": outcome_titles(system_id=system_id).get(metric.outcome, metric.outcome),
            }
            charts = render_to_string(
                self.charts_template,
                {"metric": metric, "detail": metric_charts(metric=metric, system_id=system_id)},
            )
            context = {
                "metric": metric,
                "detail": detail,
                # rendered by this view's own template, every value escaped
                "charts": mark_safe(charts),  # noqa: S308 # nosec B308 B703
                "systems": systems,
                "system": system,
            }
            return {key: render_to_string(self.content_template, context)}

        return cached_fragments({"content": key}, render)["content"]

    def get_context_data(self, **kwargs):
        systems, system = self._systems()
        content = ""
        if self.request.GET.get("format") != "csv":
            # The page was rendered by this view's own templates, every value escaped.
            content = mark_safe(self._content(systems, system))  # noqa: S308 # nosec B308 B703
        return super().get_context_data(
            content=content,
            systems=systems,
            system=system,
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
            crumbs=[("Overview", reverse("assurance:system_overview"))],
            **kwargs,
        )
