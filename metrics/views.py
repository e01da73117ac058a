import csv
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.generic import DetailView, FormView, TemplateView

from governance.list_views import nhsuk_filter_form
from governance.models import Board
from icsportal.paging import page_number
from icsportal.roles import visible_rows
from places.content_version import version_subquery
from places.models import Place
from places.pages import visible_systems
from places.selectors import QualityFlags, outcome_titles

from . import spc
from .choices import SubjectType
from .filtersets import MetricFilterSet
from .forms import AnnotationForm
from .fragments import cached_fragments, fragment_key
from .models import Metric, Series
from .selectors import (
    CompareError,
    chart_anchor,
    compare_params,
    compare_periods,
    latest_snapshots,
    member_rows,
    metric_charts,
    metric_compare,
    metric_csv_rows,
    metric_index_rows,
    owner_board_with_members,
    subject_name,
    subjects_of,
    summary_csv_rows,
    summary_table,
    with_uses,
)
from .services import annotation_create, can_annotate
from .templatetags.spc_charts import NO_ASSURANCE_LABEL

# The metrics list shows this many metrics a page (400 metrics were 650 KB of HTML).
METRICS_PER_PAGE = 50
# A metric's page shows this many subjects' charts, each with its data table (a chart of 120
# months and its table are about 95 KB: six were 600 KB of HTML); the rest are on pages of
# their own, every subject linked from each page.
CHARTS_PER_PAGE = 2


def _series_choices(metric: Metric, system_id: int | None) -> list[tuple[int, str]]:
    """The metric's series of one system's subjects, for a form: one query."""
    # place/organisation/system: each choice names its subject
    rows = (
        metric.series.filter(subjects_of(system_id))
        .select_related("place", "organisation", "system")
        .order_by("subject_type", "id")
    )
    return [(s.pk, f"{subject_name(s)} ({s.get_subject_type_display()})") for s in rows]


class MetricListView(TemplateView):
    """Every metric, filterable with the same FilterSet as the API, 50 a page (``?page=``)."""

    template_name = "metrics/metric_list.html"

    def get_context_data(self, **kwargs):
        # owner_board: named and linked on each row; source_document: each row's citation
        # Roles are per system: the metrics of the systems the user holds, national and local.
        queryset = visible_rows(
            self.request.user, with_uses(Metric.objects.select_related("source_document"))
        )
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
            rows=metric_index_rows(page.object_list, self.request.user),
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
        # Roles are per system: a metric none of the user's systems uses is no such page.
        metrics = visible_rows(self.request.user, Metric.objects.all())
        return get_object_or_404(
            metrics.select_related("owner_board", "source_document").annotate(
                content_version=version_subquery()
            ),
            code=self.kwargs["code"],
        )

    def _systems(self):
        """Every system (for the selector) and the one asked for: by name, or the system of
        the subject of ``?series=<id>``."""
        systems = list(visible_systems(self.request.user).only("pk", "slug", "name"))
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

    def _content(self, systems, system) -> str:
        """Everything under the page's heading, as HTML, for one page of the subjects' charts:
        cached under the system's latest snapshots, the content version and today's date (the
        owner board's members today). A miss renders and caches every page at once."""
        metric = self.object
        system_id = system.pk if system else None
        snapshot_ids = list(latest_snapshots(system_id=system_id).values_list("pk", flat=True))
        today = timezone.localdate()
        number = page_number(self.request, missing="No such page of charts.")

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
            board = owner_board_with_members(metric, system_id)
            # The data-quality doubts about the lines the metric, its statements and targets cite.
            flags = QualityFlags(system_id=system_id)
            detail = {
                "owner_board": board,
                "owner_members": member_rows(board) if board else [],
                "flags": flags.of(metric),
                "statements": flags.attach(
                    list(
                        metric.statements.filter(
                            **({"system_id": system_id} if system_id is not None else {})
                        ).select_related("source_document")
                    )
                ),
                "synthetic": metric.is_synthetic,
                "outcome": outcome_titles(system_id=system_id).get(metric.outcome, metric.outcome),
            }
            charts = metric_charts(metric=metric, system_id=system_id, flags=flags)
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
            for number_of_page in paginator.page_range:
                page = paginator.page(number_of_page)
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
                rendered[key(number_of_page)] = render_to_string(self.content_template, context)
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
        form = None
        if self.request.GET.get("format") != "csv" and can_annotate(self.request.user, self.object):
            choices = _series_choices(self.object, system.pk if system else None)
            form = AnnotationForm(series_choices=choices) if choices else None
        return super().get_context_data(
            content=content,
            annotation_form=form,
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


class AnnotationCreateView(FormView):
    """Add a dated note to one of a metric's series (analysts, admins, the secretaries of the
    metric's owning board): the form checks the shape, ``annotation_create`` the rules."""

    template_name = "metrics/annotation_form.html"
    form_class = AnnotationForm

    def dispatch(self, request, *args, **kwargs):
        # owner_board: who may annotate
        self.metric = get_object_or_404(
            Metric.objects.select_related("owner_board"), code=kwargs["code"]
        )
        if not can_annotate(request.user, self.metric):
            raise PermissionDenied("You may not annotate this metric.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "series_choices": _series_choices(self.metric, None),
        }

    def form_valid(self, form):
        data = form.cleaned_data
        series = get_object_or_404(Series.objects.select_related("metric"), pk=data.pop("series"))
        if series.metric_id != self.metric.pk:
            raise Http404("No such series of this metric.")
        try:
            annotation_create(user=self.request.user, series=series, **data)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
            return self.form_invalid(form)
        return redirect(f"{self.metric.get_absolute_url()}#series-{series.pk}")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            metric=self.metric,
            nav_section="metrics",
            crumbs=[
                ("Metrics", reverse("metrics:metric_list")),
                (self.metric.short_name, self.metric.get_absolute_url()),
            ],
            **kwargs,
        )


class MetricCompareView(TemplateView):
    """A funnel plot and table comparing every subject of one type for a proportion or rate
    metric in one period (``?period=YYYY-MM&subject_type=place``)."""

    template_name = "metrics/metric_compare.html"

    def get(self, request, *args, **kwargs):
        try:
            metric, period, subject_type = compare_params(request.GET, kwargs["code"])
        except CompareError as exc:
            if exc.field == "metric":
                raise Http404(str(exc)) from exc
            return self.render_to_response(self._context(None, str(exc)), status=400)
        periods = compare_periods(metric, subject_type) if metric else []
        compare, error = None, ""
        try:
            chosen = period or (periods[0] if periods else None)
            if chosen is None:
                raise CompareError(
                    "period", f"No {subject_type} has a numerator and denominator yet."
                )
            compare = metric_compare(metric=metric, period=chosen, subject_type=subject_type)
        except CompareError as exc:
            error = str(exc)
        context = self._context(metric, error, compare=compare, periods=periods)
        context["subject_type"] = subject_type
        if compare:
            compare["id"] = "funnel"
            compare["title"] = (
                f"{metric.short_name}: every {subject_type} in {compare['period_label']}"
            )
            compare["desc"] = (
                f"A funnel plot of {len(compare['units'])} {subject_type}s against their "
                f"denominators, around {compare['target_text']} for all of them together. "
                f"{compare['beyond99']} lie beyond the 99.8% limits and {compare['beyond95']} "
                "beyond the 95% limits, after allowing for over-dispersion."
            )
        return self.render_to_response(context, status=400 if error and not compare else 200)

    def _context(self, metric, error, **kwargs):
        crumbs = [("Metrics", reverse("metrics:metric_list"))]
        if metric is not None:
            crumbs.append((metric.short_name, metric.get_absolute_url()))
        return self.get_context_data(
            metric=metric,
            error=error,
            subject_types=SubjectType.choices,
            nav_section="metrics",
            crumbs=crumbs,
            **kwargs,
        )


class MetricSummaryView(TemplateView):
    """The icon summary table boards read first: one row per series of a board
    (``?board=<slug>``), a Place (``?place=<slug>``) or a system (``?system=<slug>``; the
    first by name by default), with latest value, target, variation and assurance icons;
    ``?sort=``, ``?variation=``, ``?assurance=`` and ``?format=csv``."""

    template_name = "metrics/metric_summary.html"

    def _scope(self):
        params = self.request.GET
        if params.get("board"):
            board = get_object_or_404(Board, slug=params["board"])
            return {"board": board}, board.name
        if params.get("place"):
            place = get_object_or_404(Place, slug=params["place"])
            return {"place": place}, place.name
        systems = visible_systems(self.request.user)
        system = (
            get_object_or_404(systems, slug=params["system"])
            if params.get("system")
            else systems.first()
        )
        if system is None:
            raise Http404("No system is loaded.")
        return {"system": system}, system.name

    def get(self, request, *args, **kwargs):
        scope, name = self._scope()
        params = request.GET
        rows = summary_table(
            **scope,
            sort=params.get("sort", "metric"),
            variation=params.get("variation", ""),
            assurance=params.get("assurance", ""),
        )
        if params.get("format") == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="summary.csv"'
            csv.writer(response).writerows(summary_csv_rows(rows))
            return response
        query = params.copy()
        query.pop("sort", None)
        query.pop("format", None)
        return self.render_to_response(
            self.get_context_data(
                rows=rows,
                scope_name=name,
                scope_key=next(iter(scope)),
                scope_slug=next(iter(scope.values())).slug,
                sort=params.get("sort", "metric"),
                variation=params.get("variation", ""),
                assurance=params.get("assurance", ""),
                base_query=query.urlencode(),
                synthetic=any(r["synthetic"] for r in rows),
                columns=[
                    ("metric", "Metric"),
                    ("subject", "Subject"),
                    ("", "Latest"),
                    ("", "Target"),
                    ("variation", "Variation"),
                    ("assurance", "Assurance"),
                ],
                variation_choices=[
                    ("concern", "Special cause concern"),
                    ("improvement", "Special cause improvement"),
                    ("neutral", "Special cause, neutral"),
                    ("common_cause", "Common cause"),
                ],
                assurance_choices=[
                    *((code, spc.LABELS[code]) for code in spc.ASSURANCES),
                    ("none", "No assurance"),
                ],
                nav_section="metrics",
                crumbs=[("Metrics", reverse("metrics:metric_list"))],
            )
        )
