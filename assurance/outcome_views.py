"""The System Outcomes Framework page, the system's finance page, and each priority's page with
the forms that link it to an outcome or a metric."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from governance.forms import add_service_errors
from icsportal.notes import without_said
from metrics.models import SeriesSummary
from metrics.selectors import latest_snapshots, summary_row
from places.choices import FactKind
from places.links import system_url
from places.models import Document, Fact, Priority, System
from places.pages import one_by_key, page_system
from places.selectors import QualityFlags

from . import outcome_services as services
from .models import PriorityMetric, PriorityOutcome
from .outcome_forms import LinkDeleteForm, PriorityMetricForm, PriorityOutcomeForm
from .outcome_selectors import finance_overview, outcome_rollup, worst
from .selectors import fact_sections


def _system(request) -> System:
    return page_system(request)


class OutcomeListView(TemplateView):
    """The three outcomes → the Places' priorities → the metrics, worst status beneath each."""

    template_name = "assurance/outcome_list.html"

    def get_context_data(self, **kwargs):
        system = _system(self.request)
        themes = (
            Fact.objects.filter(system=system, topic="Outcomes framework")
            .select_related("source_document")
            .first()
        )
        return super().get_context_data(
            system=system,
            rollup=outcome_rollup(system=system),
            themes=themes,
            nav_section="overview",
            crumbs=[("Overview", reverse("assurance:system_overview"))],
            **kwargs,
        )


class FinanceView(TemplateView):
    """The system's finance: underlying positions, the efficiency requirement, savings
    opportunities, Place targets and the agreed principles, each with its source."""

    template_name = "assurance/finance.html"

    def get_context_data(self, **kwargs):
        system = _system(self.request)
        agreement = (
            Fact.objects.filter(system=system, topic="Finance principles")
            .select_related("source_document")
            .first()
        )
        finance = finance_overview(system=system)
        # The data-quality doubts about the lines each figure, principle and statement cites.
        flags = QualityFlags(system_id=system.pk)
        for key in ("underlying", "requirement", "split", "savings", "place_targets", "principles"):
            flags.attach(finance[key])
        if agreement is not None:
            flags.attach([agreement])
        # A note that says what a flag beside its figure says is said once, by the flag.
        said = [f["issue"] for key in finance["notes"] for row in finance[key] for f in row.flags]
        finance["notes"] = {
            key: without_said(notes, said) for key, notes in finance["notes"].items()
        }
        finance_facts = Fact.objects.filter(
            system=system, place=None, kind=FactKind.FINANCE
        ).select_related("source_document")
        return super().get_context_data(
            system=system,
            finance=finance,
            # The finance statements and figures loaded as facts, not as finance figures.
            finance_facts=fact_sections(flags.attach(list(finance_facts))),
            agreement=agreement,
            nav_section="overview",
            crumbs=[("Overview", reverse("assurance:system_overview"))],
            **kwargs,
        )


# -- a priority's page and its links -------------------------------------------------------------

HISTORY_KINDS = {"+": "Linked", "~": "Changed", "-": "Removed"}


def _priority(request, key: str) -> Priority:
    return one_by_key(
        request, Priority.objects.select_related("place__system", "source_document"), key
    )


def _also_citations(priority: Priority) -> list[str]:
    """The priority's corroborating mentions as 'Short title, line N' (one query, or none)."""
    also = [a for a in priority.also_sources or [] if a.get("document")]
    if not also:
        return []
    titles = dict(
        Document.objects.filter(key__in={a["document"] for a in also}).values_list(
            "key", "short_title"
        )
    )
    return [f"{titles.get(a['document'], a['document'])}, line {a['line']}" for a in also]


def _evidence(priority: Priority, metric_ids: set[int]) -> dict[int, list[dict]]:
    """The latest published series rows of the linked metrics that count for the priority's
    Place, by metric (one query, or none without a linked metric)."""
    if not metric_ids:
        return {}
    place = priority.place
    summaries = (
        SeriesSummary.objects.filter(
            snapshot__in=latest_snapshots(system_id=place.system_id),
            series__metric_id__in=metric_ids,
        )
        .filter(services.series_scope(place, prefix="series__"))
        # series__metric…: named on each row; the subject: its name on each row
        .select_related(
            "series__metric__owner_board",
            "series__place",
            "series__organisation",
            "series__system",
        )
    )
    by_metric: dict[int, list[dict]] = {}
    urls: dict = {}
    for summary in summaries:
        by_metric.setdefault(summary.series.metric_id, []).append(summary_row(summary, urls=urls))
    for rows in by_metric.values():
        rows.sort(key=lambda r: (r["subject_type"] != "place", r["subject"]))
    return by_metric


def _target_name(target) -> str:
    """An outcome's title or a metric's short name; the words for one since deleted."""
    if target is None:
        return "(no longer in the portal)"
    return getattr(target, "title", None) or target.short_name or target.name


def _history(priority: Priority) -> list[dict]:
    """Every recorded link and removal of the priority's links, newest first (two queries)."""
    # outcome, metric: named on each record; history_user: who made or removed the link
    records = [
        (h, "outcome", h.outcome)
        for h in PriorityOutcome.history.filter(priority_id=priority.pk).select_related(
            "outcome", "history_user"
        )
    ] + [
        (h, "metric", h.metric)
        for h in PriorityMetric.history.filter(priority_id=priority.pk).select_related(
            "metric", "history_user"
        )
    ]
    rows = [
        {
            "when": h.history_date,
            "who": h.history_user.get_username() if h.history_user else "",
            "kind": HISTORY_KINDS[h.history_type],
            "what": what,
            "target": _target_name(target),
            "reason": h.history_change_reason or h.reason,
        }
        for h, what, target in records
    ]
    rows.sort(key=lambda r: r["when"], reverse=True)
    return rows


class PriorityDetailView(TemplateView):
    """A priority with its source, its links to outcomes and metrics (who, when, why) and the
    worst status of its evidence; with the forms to link it, for those who may."""

    template_name = "assurance/priority_detail.html"
    outcome_form = None
    metric_form = None

    def get_priority(self) -> Priority:
        if not hasattr(self, "priority"):
            self.priority = _priority(self.request, self.kwargs["key"])
        return self.priority

    def get_context_data(self, **kwargs):
        priority = self.get_priority()
        place = priority.place
        # outcome, metric: named on each link; created_by: who linked; source_document: cited;
        # outcome__system: the link to the outcome names its system
        outcome_links = list(
            priority.outcome_links.select_related(
                "outcome__system", "created_by", "source_document"
            )
        )
        metric_links = list(
            priority.metric_links.select_related("metric", "created_by", "source_document")
        )
        evidence = _evidence(priority, {link.metric_id for link in metric_links})
        metrics = [
            {"link": link, "rows": evidence.get(link.metric_id, [])} for link in metric_links
        ]
        for m in metrics:
            m["worst"] = worst(m["rows"])
        can_edit = services.can_link_priority(self.request.user, priority)
        outcome_form = metric_form = None
        if can_edit:
            # The form sent back with errors, if one was; the other one empty.
            outcome_form = self.outcome_form or PriorityOutcomeForm(priority=priority)
            metric_form = self.metric_form or PriorityMetricForm(priority=priority)
        return super().get_context_data(
            priority=priority,
            place=place,
            flags=QualityFlags(system_id=place.system_id).of(priority),
            also=_also_citations(priority),
            outcome_links=outcome_links,
            metrics=metrics,
            worst=worst([r for m in metrics for r in m["rows"]]),
            history=_history(priority),
            can_edit=can_edit,
            outcome_form=outcome_form,
            metric_form=metric_form,
            failed_form=self.outcome_form if self.outcome_form is not None else self.metric_form,
            nav_section="places",
            crumbs=[
                ("Overview", priority.system.get_absolute_url()),
                (
                    "System Outcomes Framework",
                    system_url("assurance:outcome_list", priority.system),
                ),
                (place.name, place.get_absolute_url() + "#outcomes"),
            ],
            **kwargs,
        )


class PriorityLinkCreateView(PriorityDetailView):
    """POST one of the priority page's forms: admins and the Place's board secretaries only.
    A refused link shows the page again with the form's errors; nothing is written."""

    form_class: type
    form_attr: str
    anchor: str
    success_message: str

    def dispatch(self, request, *args, **kwargs):
        priority = self.get_priority()
        if not services.can_link_priority(request.user, priority):
            raise PermissionDenied(services.ONLY_EDITORS)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return redirect(self.priority.get_absolute_url() + f"#{self.anchor}")

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, priority=self.priority)
        if form.is_valid():
            try:
                self.perform(form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, self.success_message)
                return redirect(self.priority.get_absolute_url())
        setattr(self, self.form_attr, form)
        return self.render_to_response(self.get_context_data())

    def perform(self, data: dict) -> None:
        raise NotImplementedError


class PriorityOutcomeCreateView(PriorityLinkCreateView):
    form_class = PriorityOutcomeForm
    form_attr = "outcome_form"
    anchor = "link-outcome"
    success_message = "The priority is linked to the outcome."

    def perform(self, data):
        services.priority_outcome_create(
            actor=self.request.user,
            priority=self.priority,
            outcome=data["outcome"],
            reason=data["reason"],
        )


class PriorityMetricCreateView(PriorityLinkCreateView):
    form_class = PriorityMetricForm
    form_attr = "metric_form"
    anchor = "link-metric"
    success_message = "The metric is linked to the priority."

    def perform(self, data):
        services.priority_metric_create(
            actor=self.request.user,
            priority=self.priority,
            metric=data["metric"],
            reason=data["reason"],
        )


class PriorityLinkDeleteView(View):
    """Confirm the removal of one of a priority's links, with the reason; admins and the
    Place's board secretaries only. The link is looked up within the priority, so another
    priority's link number finds nothing."""

    template_name = "assurance/priority_link_delete.html"
    model: type
    related: str

    def dispatch(self, request, *args, **kwargs):
        self.priority = _priority(request, kwargs["key"])
        if not services.can_link_priority(request.user, self.priority):
            raise PermissionDenied(services.ONLY_EDITORS)
        self.link = get_object_or_404(
            self.model.objects.select_related(self.related, "created_by"),
            pk=kwargs["pk"],
            priority=self.priority,
        )
        return super().dispatch(request, *args, **kwargs)

    def render(self, form):
        place = self.priority.place
        return render(
            self.request,
            self.template_name,
            {
                "priority": self.priority,
                "link": self.link,
                "what": self.related,
                "target": _target_name(getattr(self.link, self.related)),
                "form": form,
                "nav_section": "places",
                "crumbs": [
                    ("Overview", self.priority.system.get_absolute_url()),
                    (place.name, place.get_absolute_url() + "#outcomes"),
                    (self.priority.title, self.priority.get_absolute_url()),
                ],
            },
        )

    def get(self, request, *args, **kwargs):
        return self.render(LinkDeleteForm())

    def post(self, request, *args, **kwargs):
        form = LinkDeleteForm(request.POST)
        if form.is_valid():
            try:
                self.perform(form.cleaned_data["reason"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The link is removed; the history keeps why.")
                return redirect(self.priority.get_absolute_url())
        return self.render(form)

    def perform(self, reason: str) -> None:
        raise NotImplementedError


class PriorityOutcomeDeleteView(PriorityLinkDeleteView):
    model = PriorityOutcome
    related = "outcome"

    def perform(self, reason: str) -> None:
        services.priority_outcome_delete(actor=self.request.user, link=self.link, reason=reason)


class PriorityMetricDeleteView(PriorityLinkDeleteView):
    model = PriorityMetric
    related = "metric"

    def perform(self, reason: str) -> None:
        services.priority_metric_delete(actor=self.request.user, link=self.link, reason=reason)
