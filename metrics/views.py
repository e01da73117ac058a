import csv
import json

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
    chart_anchor,
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
# A metric's page shows this many subjects' charts, each with its data table (a chart of 120
# months and its table are about 95 KB: six were 600 KB of HTML); the rest are on pages of
# their own, every subject linked from each page.
CHARTS_PER_PAGE = 2


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
        """Every system (for the selector) and the one asked for: by name, or the system of
        the subject of ``?series=<id>``."""
        systems = list(System.objects.only("pk", "slug", "name").order_by("name"))
        wanted = self.request.GET.get("system")
        series = self.request.GET.get("series", "")
        if not wanted and series.isdigit():
            subject = (
                self.object.series.filter(pk=int(series))
                .values_list("system_id", "place__system_id", "organisation__system_id")
                .first()
            )
            system_id = next((i for i in subject or () if i), None)
            for system in systems:
                if system.pk == system_id:
                    return systems, system
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

    def _page_number(self) -> int:
        raw = self.request.GET.get("page", "1")
        if not raw.isdigit() or int(raw) < 1:
            raise Http404("No such page of charts.")
        return int(raw)

    def _content(self, systems, system) -> str:
        """Everything under the page's heading, as HTML, for one page of the subjects' charts:
        cached under the system's latest snapshots, the content version and today's date (the
        owner board's members today). A miss renders and caches every page at once."""
        metric = self.object
        system_id = system.pk if system else None
        snapshot_ids = list(latest_snapshots(system_id=system_id).values_list("pk", flat=True))
        today = timezone.localdate()
        number = self._page_number()

        def key(page: int) -> str:
            return fragment_key(
                "metric-page",
                snapshot_ids,
                metric.pk,
                system_id,
                metric.content_version,
                today,
                page,
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
            charts = metric_charts(metric=metric, system_id=system_id)
            # The links keep the system the page shows (the fragment is rendered without a
            # request); with one system there is none to keep.
            query = f"system={system.slug}" if len(systems) > 1 else ""
            paginator = Paginator(charts["charts"], CHARTS_PER_PAGE)
            subjects = [
                {
                    "subject": chart["subject"],
                    "id": chart["id"],
                    "page": i // CHARTS_PER_PAGE + 1,
                    "url": "?{}page={}#{}".format(
                        f"{query}&" if query else "", i // CHARTS_PER_PAGE + 1, chart["id"]
                    ),
                }
                for i, chart in enumerate(charts["charts"])
            ]
            rendered = {}
            for page_number in paginator.page_range:
                page = paginator.page(page_number)
                charts_html = render_to_string(
                    self.charts_template,
                    {
                        "metric": metric,
                        "detail": {**charts, "charts": page.object_list},
                        "page_obj": page,
                        "page_query": query,
                        "subjects": subjects,
                    },
                )
                context = {
                    "metric": metric,
                    "detail": detail,
                    # rendered by this view's own template, every value escaped
                    "charts": mark_safe(charts_html),  # noqa: S308 # nosec B308 B703
                    "systems": systems,
                    "system": system,
                }
                rendered[key(page_number)] = render_to_string(self.content_template, context)
            # Page 0 is no page: it maps each subject's anchor to the page that shows it.
            rendered[key(0)] = json.dumps({s["id"]: s["page"] for s in subjects})
            if key(number) not in rendered:
                raise Http404("This metric has no such page of charts.")
            return rendered

        series = self.request.GET.get("series", "")
        if series.isdigit() and "page" not in self.request.GET:
            # A link to one subject's chart (``?series=<id>#series-<id>``): the page showing it.
            pages = json.loads(cached_fragments({"index": key(0)}, render)["index"])
            number = pages.get(chart_anchor(int(series)), 1)
        return cached_fragments({"content": key(number)}, render)["content"]

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
