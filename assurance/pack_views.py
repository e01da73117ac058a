"""The board pack of a meeting: its page, its PDF, publishing it, its API, and the links of
agenda items to the metrics and risks they cover."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView, TemplateView
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import meetings as meeting_services
from governance.forms import add_service_errors
from governance.meeting_selectors import meetings_for
from governance.models import AgendaItem, Meeting
from governance.permissions import can_edit_board
from governance.views import BoardPageMixin
from metrics.models import Metric
from metrics.selectors import snapshot_charts

from .agenda_links import agenda_item_metric_link, agenda_item_risk_link
from .models import Risk
from .pack_pdf import pack_pdf
from .packs import Pack, build_pack


def _meeting(user, slug: str, pk: int) -> Meeting:
    meeting = meetings_for(user).select_related("board").filter(pk=pk, board__slug=slug).first()
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


class PackDetailView(BoardPageMixin, TemplateView):
    """The pack as a page."""

    template_name = "assurance/pack_detail.html"

    def get_context_data(self, **kwargs):
        meeting = _meeting(self.request.user, self.kwargs["slug"], self.kwargs["pk"])
        pack = build_pack(meeting, self.request.user)
        # Each metric's SPC chart as its metric page draws it, from the pack's snapshot.
        charts = snapshot_charts([m.summary for m in pack.metrics])
        for metric, chart in zip(pack.metrics, charts, strict=True):
            metric.chart = chart
        context = self.board_context(
            meeting.board,
            pack=pack,
            meeting=meeting,
            can_edit=can_edit_board(self.request.user, meeting.board_id),
        )
        context["crumbs"] = [*context["crumbs"], ("Meeting", meeting.get_absolute_url())]
        return super().get_context_data(**context, **kwargs)


class PackPDFView(View):
    """The pack as a PDF."""

    def get(self, request, slug, pk):
        meeting = _meeting(request.user, slug, pk)
        response = HttpResponse(pack_pdf(build_pack(meeting, request.user)), "application/pdf")
        name = f"{meeting.board.slug}-{meeting.start:%Y-%m-%d}-pack.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response


class PackPublishView(View):
    """POST: publish the pack (the board's secretaries and admins); its figures then stay as
    they were at this moment."""

    def post(self, request, slug, pk):
        meeting = _meeting(request.user, slug, pk)
        if not can_edit_board(request.user, meeting.board_id):
            raise PermissionDenied(meeting_services.ONLY_MEETING_EDITORS)
        meeting_services.pack_publish(actor=request.user, meeting=meeting.pk)
        messages.success(request, "Pack published.")
        return redirect("assurance:pack_detail", slug=slug, pk=pk)


def pack_json(pack: Pack) -> dict:
    """The pack's sections as JSON."""
    return {
        "meeting": pack.meeting.pk,
        "published_at": pack.meeting.pack_published_at,
        "figures_as_at": pack.cut_off,
        "previous_meeting": pack.previous.pk if pack.previous else None,
        "agenda": [
            {
                "id": item.pk,
                "number": item.number,
                "title": item.title,
                "purpose": item.purpose,
                "presenter": item.presenter,
                "is_public": item.is_public,
                "organisations": [o.key for o in item.organisations.all()],
                "metrics": [link.metric.code for link in item.metric_links.all()],
                "risks": [link.risk.key for link in item.risk_links.all()],
                "decision": item.decision.text if hasattr(item, "decision") else None,
            }
            for item in pack.items
        ],
        "metrics": [
            {
                "metric": m.series.metric.code,
                "series": m.series.pk,
                "subject": str(m.series.subject),
                "latest_period": m.summary.latest_period,
                "latest_value": m.summary.latest_value,
                "variation": m.summary.variation,
                "assurance": m.summary.assurance,
                "snapshot_published_at": m.summary.snapshot.published_at,
                "reasons": m.reasons,
            }
            for m in pack.metrics
        ],
        "risks": [
            {
                "risk": r.risk.key,
                "title": r.risk.title,
                "rating": r.risk.rating,
                "because": r.because,
                "reviews_since": [
                    {"decision": v.decision, "reviewed_at": v.reviewed_at} for v in r.reviews
                ],
            }
            for r in pack.risks
        ],
        "membership_changes": {
            "from": pack.changes.start,
            "to": pack.changes.end,
            "added": [s.who for s in pack.changes.added],
            "ended": [s.who for s in pack.changes.ended],
            "role_changes": [
                {"who": c.seat.who, "before": c.before, "after": c.after}
                for c in pack.changes.role_changes
            ],
        },
        "actions": [
            {
                "id": a.pk,
                "description": a.description,
                "owner": a.owner,
                "due_date": a.due_date,
                "overdue": a.due_date < pack.today,
            }
            for a in pack.actions
        ],
        "conflicts": [
            {
                "item": p.item.number,
                "person": p.membership.person.key,
                "interest": p.interest.pk,
                "organisation": p.interest.organisation.key,
            }
            for p in pack.conflicts
        ],
    }


_LIST = serializers.ListField(child=serializers.DictField())


class MeetingPackView(APIView):
    """A meeting's board pack: its sections as JSON."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "BoardPack",
                fields={
                    "meeting": serializers.IntegerField(),
                    "published_at": serializers.DateTimeField(allow_null=True),
                    "figures_as_at": serializers.DateTimeField(),
                    "previous_meeting": serializers.IntegerField(allow_null=True),
                    "agenda": _LIST,
                    "metrics": _LIST,
                    "risks": _LIST,
                    "membership_changes": serializers.DictField(),
                    "actions": _LIST,
                    "conflicts": _LIST,
                },
            )
        }
    )
    def get(self, request, pk):
        meeting = meetings_for(request.user).select_related("board").filter(pk=pk).first()
        if meeting is None:
            raise Http404("No such meeting.")
        return Response(pack_json(build_pack(meeting, request.user)))


class AgendaItemLinkForm(forms.Form):
    metric = forms.ModelChoiceField(
        queryset=Metric.objects.order_by("name"),
        required=False,
        empty_label="None",
        label="A metric it covers (optional)",
    )
    risk = forms.ModelChoiceField(
        queryset=Risk.objects.order_by("title"),
        required=False,
        empty_label="None",
        label="A risk it covers (optional)",
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("metric") and not cleaned.get("risk"):
            raise forms.ValidationError("Choose a metric or a risk")
        return cleaned


class AgendaItemLinkView(BoardPageMixin, FormView):
    """A secretary says which metrics and risks an agenda item covers (the pack shows them)."""

    form_class = AgendaItemLinkForm
    template_name = "governance/meeting_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.item = get_object_or_404(
            AgendaItem.objects.select_related("meeting__board"),
            pk=kwargs["item"],
            meeting_id=kwargs["pk"],
            meeting__board__slug=kwargs["slug"],
        )
        if not can_edit_board(request.user, self.item.meeting.board_id):
            raise PermissionDenied(meeting_services.ONLY_MEETING_EDITORS)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        meeting = self.item.meeting
        context = self.board_context(
            meeting.board, meeting=meeting, heading=f"Link item {self.item.number} to evidence"
        )
        return super().get_context_data(**context, **kwargs)

    def form_valid(self, form):
        try:
            if form.cleaned_data["metric"]:
                agenda_item_metric_link(
                    actor=self.request.user, item=self.item, metric=form.cleaned_data["metric"]
                )
            if form.cleaned_data["risk"]:
                agenda_item_risk_link(
                    actor=self.request.user, item=self.item, risk=form.cleaned_data["risk"]
                )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Linked.")
        return redirect(self.item.meeting.get_absolute_url() + "#agenda")
