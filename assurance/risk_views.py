"""Pages of the risk register and the Long Term Plan commitments, and their forms."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from governance.forms import add_service_errors
from governance.list_views import nhsuk_filter_form
from governance.permissions import editable_board_ids
from governance.views import ServiceFormMixin
from icsportal.api.renderers import neutralise
from icsportal.roles import is_admin, visible_rows
from places.links import system_url, with_system
from places.models import Fact
from places.pages import one_by_key, page_system
from places.selectors import QualityFlags

from . import risk_selectors as selectors
from . import risks as services
from .choices import RiskRating
from .filtersets import CommitmentFilterSet, RiskFilterSet
from .models import Commitment, EscalationRoute, MitigatingAction, Risk
from .risk_forms import (
    ActionCreateForm,
    ActionUpdateForm,
    CommitmentUpdateForm,
    RiskCreateForm,
    RiskReviewForm,
    RiskUpdateForm,
)

# A key is unique only within its system: the system's slug stands beside it.
EXPORT_COLUMNS = [
    "key",
    "system",
    "title",
    "level",
    "place",
    "owner_board",
    "likelihood",
    "impact",
    "score",
    "rating",
    "status",
    "review_date",
    "escalated_to",
    "linked_metrics",
    "actions",
    "source",
]


def _crumbs(*extra, system=None):
    """The register first: that of ``system`` when the page is one risk's."""
    register = reverse("assurance:risk_list")
    return [("Risk register", with_system(register, system) if system else register), *extra]


def _register(request):
    filterset = RiskFilterSet(
        request.GET or None,
        queryset=visible_rows(request.user, selectors.risks_for_pages()).order_by(
            "place__name", "key"
        ),
    )
    nhsuk_filter_form(filterset.form)
    return filterset


class RiskListView(TemplateView):
    """The register, filterable by board, Place, rating and status."""

    template_name = "assurance/risk_list.html"

    def get_context_data(self, **kwargs):
        filterset = _register(self.request)
        risks = [] if filterset.is_bound and not filterset.is_valid() else list(filterset.qs)
        # Each risk's data-quality doubts, beside its source.
        QualityFlags().attach(risks)
        prompts = selectors.review_prompts(risks)
        system = page_system(self.request, required=False)
        context_facts = (
            Fact.objects.filter(system=system, topic__startswith="Risk register")
            .select_related("source_document")
            .order_by("order")
            if system
            else []
        )
        route = (
            EscalationRoute.objects.select_related("board", "source_document")
            .filter(system=system)
            .first()
        )
        return super().get_context_data(
            filter=filterset,
            filtered=filterset.is_bound,
            risks=[{"risk": r, "prompt": prompts.get(r.pk, [])} for r in risks],
            counts=selectors.rating_counts(risks),
            route=route,
            context_facts=context_facts,
            can_add=is_admin(self.request.user)
            or bool(getattr(self.request.user, "portal_role", None) and _secretary(self.request)),
            export_query=self.request.GET.urlencode(),
            nav_section="boards",
            crumbs=[("Boards", reverse("governance:board_list"))],
            **kwargs,
        )


def _secretary(request) -> bool:
    return bool(editable_board_ids(request.user))


class RiskExportView(View):
    """The filtered register as CSV, one row per risk, with each risk's source."""

    def get(self, request):
        filterset = _register(request)
        if filterset.is_bound and not filterset.is_valid():
            return HttpResponse("Unknown filter value.", status=400, content_type="text/plain")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="risk-register.csv"'
        writer = csv.writer(response, lineterminator="\r\n")
        writer.writerow(EXPORT_COLUMNS)
        for r in filterset.qs:
            escalation = r.open_escalations[0] if r.open_escalations else None
            row = [
                r.key,
                r.system.slug,
                r.title,
                "Place" if r.place_id else "System",
                r.place.name if r.place_id else "",
                r.owner_board.name if r.owner_board_id else "",
                r.likelihood,
                r.impact,
                r.score_value,
                r.rating_value,
                r.status,
                r.review_date.isoformat() if r.review_date else "",
                escalation.board.name if escalation else "",
                "; ".join(link.metric.code for link in r.metric_links.all()),
                "; ".join(
                    f"{a.description} ({a.owner or 'owner not given'}, due "
                    f"{a.due_date.isoformat() if a.due_date else 'not given'}, {a.status})"
                    for a in r.actions.all()
                ),
                r.citation,
            ]
            writer.writerow([neutralise(v) for v in row])
        return response


class RiskMixin:
    def get_risk(self) -> Risk:
        return one_by_key(self.request, selectors.risks_for_pages(), self.kwargs["key"])


class RiskDetailView(RiskMixin, TemplateView):
    template_name = "assurance/risk_detail.html"

    def get_context_data(self, **kwargs):
        risk = self.get_risk()
        return super().get_context_data(
            risk=risk,
            flags=QualityFlags(system_id=risk.system_id).of(risk),
            prompt=selectors.review_prompts([risk]).get(risk.pk, []),
            also=selectors.also_citations(risk),
            reviews=list(risk.reviews.select_related("reviewed_by")),
            escalations=list(
                risk.escalations.select_related("board", "escalated_by", "de_escalated_by")
            ),
            history=selectors.risk_history(risk),
            can_edit=services.can_edit_risk(self.request.user, risk),
            today=timezone.localdate(),
            red=RiskRating.RED,
            nav_section="boards",
            crumbs=_crumbs(system=risk.system),
            **kwargs,
        )


class RiskFormMixin(ServiceFormMixin, RiskMixin):
    """A form that changes one risk: admins and the owning board's secretaries only."""

    template_name = "assurance/risk_form.html"
    heading = ""

    def dispatch(self, request, *args, **kwargs):
        self.risk = self.get_risk()
        if not services.can_edit_risk(request.user, self.risk):
            raise PermissionDenied(
                "Only the owning board's secretaries and administrators may change this risk."
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            risk=self.risk,
            heading=self.heading,
            nav_section="boards",
            crumbs=_crumbs(
                (self.risk.title, self.risk.get_absolute_url()), system=self.risk.system
            ),
            **kwargs,
        )

    def success_url_for(self, result) -> str:
        return self.risk.get_absolute_url()


class RiskReviewView(RiskFormMixin, FormView):
    heading = "Review the rating"
    form_class = RiskReviewForm
    success_message = "The review is recorded."

    def get_initial(self):
        return {"likelihood": self.risk.likelihood, "impact": self.risk.impact}

    def get_context_data(self, **kwargs):
        prompt = selectors.review_prompts([self.risk]).get(self.risk.pk, [])
        return super().get_context_data(prompt=prompt, **kwargs)

    def perform(self, form):
        services.risk_review(
            actor=self.request.user,
            risk=self.risk,
            likelihood=form.cleaned_data["likelihood"],
            impact=form.cleaned_data["impact"],
            reason=form.cleaned_data["reason"],
            evidence=selectors.review_prompts([self.risk]).get(self.risk.pk, []),
        )


class RiskUpdateView(RiskFormMixin, FormView):
    heading = "Change the risk"
    form_class = RiskUpdateForm
    success_message = "The risk is changed."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "system": self.risk.system}

    def get_initial(self):
        r = self.risk
        return {
            "title": r.title,
            "description": r.description,
            "owner_board": r.owner_board,
            "place": r.place,
            "status": r.status,
            "review_date": r.review_date,
            "metrics": [link.metric for link in r.metric_links.all()],
            "note": r.note,
        }

    def perform(self, form):
        data = form.cleaned_data
        services.risk_change(
            actor=self.request.user,
            risk=self.risk,
            reason=data["reason"],
            metrics=data["metrics"],
            **{
                f: data[f]
                for f in (
                    "title",
                    "description",
                    "owner_board",
                    "place",
                    "status",
                    "review_date",
                    "note",
                )
            },
        )


class ActionCreateView(RiskFormMixin, FormView):
    heading = "Add a mitigating action"
    form_class = ActionCreateForm
    success_message = "The action is added."

    def perform(self, form):
        services.action_create(actor=self.request.user, risk=self.risk, **form.cleaned_data)


class ActionUpdateView(RiskFormMixin, FormView):
    heading = "Change the action's status"
    form_class = ActionUpdateForm
    success_message = "The action is changed."

    def get_action(self) -> MitigatingAction:
        return get_object_or_404(MitigatingAction, pk=self.kwargs["pk"], risk=self.risk)

    def get_initial(self):
        return {"status": self.get_action().status}

    def perform(self, form):
        services.action_update(
            actor=self.request.user, action=self.get_action(), status=form.cleaned_data["status"]
        )


class RiskCreateView(FormView):
    template_name = "assurance/risk_form.html"
    form_class = RiskCreateForm

    def dispatch(self, request, *args, **kwargs):
        self.system = page_system(request)
        if not (is_admin(request.user) or _secretary(request)):
            raise PermissionDenied("Only administrators and board secretaries may add risks.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "system": self.system, "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading="Add a risk", risk=None, nav_section="boards", crumbs=_crumbs(), **kwargs
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            risk = services.risk_create(actor=self.request.user, system=self.system, **data)
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                form.add_error("owner_board", "Choose a board whose secretary you are.")
            else:
                add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The risk is added.")
        return redirect(risk.get_absolute_url())


class CommitmentListView(TemplateView):
    """Long Term Plan commitments by programme, with target year, owner board and status."""

    template_name = "assurance/commitment_list.html"

    def get_context_data(self, **kwargs):
        filterset = CommitmentFilterSet(
            self.request.GET or None, queryset=selectors.commitments_for_pages()
        )
        nhsuk_filter_form(filterset.form)
        rows = [] if filterset.is_bound and not filterset.is_valid() else list(filterset.qs)
        # Each commitment's data-quality doubts, beside its source.
        QualityFlags().attach(rows)
        groups = selectors.commitment_groups(rows)
        for group in groups:
            for row in group["rows"]:
                row["can_edit"] = services.can_edit_commitment(self.request.user, row["commitment"])
        return super().get_context_data(
            filter=filterset,
            filtered=filterset.is_bound,
            groups=groups,
            total=len(rows),
            overdue=sum(g["overdue"] for g in groups),
            nav_section="boards",
            crumbs=[("Boards", reverse("governance:board_list"))],
            **kwargs,
        )


class CommitmentUpdateView(FormView):
    template_name = "assurance/commitment_form.html"
    form_class = CommitmentUpdateForm

    def dispatch(self, request, *args, **kwargs):
        self.commitment = one_by_key(
            request,
            Commitment.objects.select_related("owner_board", "source_document"),
            kwargs["key"],
        )
        if not services.can_edit_commitment(request.user, self.commitment):
            raise PermissionDenied(
                "Only the owning board's secretaries and administrators may update it."
            )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"status": self.commitment.status, "note": self.commitment.status_note}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            commitment=self.commitment,
            heading="Update the status",
            history=list(
                self.commitment.history.select_related("history_user").order_by("-history_date")
            ),
            nav_section="boards",
            crumbs=[
                (
                    "Long Term Plan commitments",
                    system_url("assurance:commitment_list", self.commitment.system),
                )
            ],
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.commitment_update(
                actor=self.request.user,
                commitment=self.commitment,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The status is updated.")
        return redirect(self.commitment.get_absolute_url())
