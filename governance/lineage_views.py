"""Changes to the structure: every succession, Place move and cluster on one page, and the
administrators' forms that record them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from icsportal.roles import is_admin
from places.lineage import ONLY_ADMINS, ClusterChange, cluster_create, place_move
from places.models import Cluster, PlaceInSystem, System

from .lineage import SuccessionChange, succession_record
from .lineage_forms import ClusterForm, PlaceMoveForm, SuccessionForm
from .models import BoardSuccession, OrganisationSuccession
from .views import ServiceFormMixin

BODIES = {"board": "board", "organisation": "organisation"}


class LineageView(TemplateView):
    """Every recorded succession of boards and organisations, Place move and cluster, with
    dates, reasons and sources; administrators get the forms' links."""

    template_name = "governance/lineage.html"

    def get_context_data(self, **kwargs):
        related = ("predecessor", "successor", "source_document", "predecessor__system")
        return super().get_context_data(
            board_successions=BoardSuccession.objects.select_related(*related),
            organisation_successions=OrganisationSuccession.objects.select_related(*related),
            place_moves=PlaceInSystem.objects.select_related(
                "place", "system", "source_document"
            ).order_by("place__name", "valid_from"),
            clusters=Cluster.objects.prefetch_related("memberships__system").select_related(
                "source_document"
            ),
            can_record=is_admin(self.request.user),
            nav_section="boards",
            crumbs=[{"label": "Boards", "url": reverse("governance:board_list")}],
            **kwargs,
        )


class AdminFormView(ServiceFormMixin, FormView):
    """A form that records a change to the structure: administrators only, everyone else 403;
    the service's errors show next to their fields and nothing is written."""

    template_name = "governance/lineage_form.html"
    heading = ""
    success_message = "Recorded."

    def dispatch(self, request, *args, **kwargs):
        if not is_admin(request.user):
            raise PermissionDenied(ONLY_ADMINS)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.heading,
            nav_section="boards",
            crumbs=[
                {"label": "Boards", "url": reverse("governance:board_list")},
                {"label": "Changes to the structure", "url": reverse("lineage:changes")},
            ],
            **kwargs,
        )

    def success_url_for(self, result) -> str:
        return reverse("lineage:changes")


class SuccessionRecordView(AdminFormView):
    """``?body=board`` (the default) or ``organisation``; ``?predecessor=<id>`` preselects."""

    form_class = SuccessionForm

    @property
    def body(self) -> str:
        return BODIES.get(self.request.GET.get("body", ""), "board")

    @property
    def heading(self) -> str:
        what = "an organisation" if self.body == "organisation" else "a board"
        return f"Record a merger, split or replacement of {what}"

    @property
    def system(self) -> System | None:
        """The system whose bodies the form offers: ``?system=<slug>``, else the first."""
        systems = System.objects.order_by("name")
        return systems.filter(slug=self.request.GET.get("system", "")).first() or systems.first()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "body": self.body, "system": self.system}

    def get_context_data(self, **kwargs):
        system = self.system
        return super().get_context_data(
            system=system,
            systems=System.objects.order_by("name").values("slug", "name"),
            **kwargs,
        )

    def get_initial(self):
        return {"predecessor": self.request.GET.get("predecessor"), "successors_start": "yes"}

    def perform(self, form):
        data = form.cleaned_data
        succession_record(
            user=self.request.user,
            body=self.body,
            change=SuccessionChange(
                predecessor=data["predecessor"],
                successors=list(data["successors"]),
                date=data["date"],
                kind=data["kind"],
                successors_start=data["successors_start"],
                note=data.get("note") or "",
            ),
            reason=data["reason"],
            source=form.stated_source(),
        )
        self.success_message = (
            f"Recorded the {data['kind'].replace('_', ' ')} of {data['predecessor']}."
        )


class PlaceMoveView(AdminFormView):
    form_class = PlaceMoveForm
    heading = "Record a Place moving to another system"

    def perform(self, form):
        data = form.cleaned_data
        place_move(
            user=self.request.user,
            place=data["place"],
            system=data["system"],
            date=data["date"],
            reason=data["reason"],
            source=form.stated_source(),
        )
        self.success_message = f"Recorded {data['place']} moving to {data['system']}."


class ClusterCreateView(AdminFormView):
    form_class = ClusterForm
    heading = "Record a cluster of systems"

    def perform(self, form):
        data = form.cleaned_data
        cluster = cluster_create(
            user=self.request.user,
            change=ClusterChange(
                name=data["name"],
                valid_from=data.get("valid_from"),
                valid_to=data.get("valid_to"),
                systems=list(data["systems"]),
                note=data.get("note") or "",
            ),
            reason=data["reason"],
            source=form.stated_source(),
        )
        self.success_message = f"Recorded the cluster {cluster.name}."
