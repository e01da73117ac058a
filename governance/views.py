import datetime as dt
from typing import NamedTuple

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.generic import FormView, TemplateView

from icsportal.api.tokens import token_issue, token_revoke_own, tokens_of
from icsportal.roles import PortalRole, user_role

from . import selectors, services
from .forms import (
    ApiTokenCreateForm,
    DateQueryForm,
    DateRangeQueryForm,
    MembershipCreateForm,
    MembershipEndForm,
    MembershipUpdateForm,
    VacancyFillForm,
    VacancyRecordForm,
    add_service_errors,
)
from .models import Board, Membership
from .permissions import ONLY_EDITORS, can_edit_board


class BoardPageMixin:
    """A page about one board, under Boards in the breadcrumb."""

    def board_context(self, board: Board, **extra) -> dict:
        return {
            "board": board,
            "nav_section": "boards",
            "crumbs": [
                ("Boards", reverse("governance:board_list")),
                (board.name, board.get_absolute_url()),
            ],
            **extra,
        }


class BoardAsAtView(BoardPageMixin, TemplateView):
    """Who sat on the board on a date (today unless ``?date=YYYY-MM-DD``)."""

    template_name = "governance/board_as_at.html"

    def get_context_data(self, **kwargs):
        board = get_object_or_404(Board, slug=self.kwargs["slug"])
        given = "date" in self.request.GET
        form = DateQueryForm(
            self.request.GET if given else None,
            initial={"date": timezone.localdate().isoformat()},
        )
        day = form.cleaned_data["date"] if given and form.is_valid() else None
        if not given:
            day = timezone.localdate()
        return super().get_context_data(
            **self.board_context(
                board,
                form=form,
                day=day,
                seats=selectors.board_members_as_at(board, day) if day else None,
            ),
            **kwargs,
        )


class BoardChangesView(BoardPageMixin, TemplateView):
    """What changed on the board between two dates (``?from=…&to=…``, inclusive).

    ``by=recorded`` (the default) counts the dates changes were recorded; ``by=terms`` the dates
    memberships started and ended.
    """

    template_name = "governance/board_changes.html"

    def get_context_data(self, **kwargs):
        board = get_object_or_404(Board, slug=self.kwargs["slug"])
        today = timezone.localdate()
        # By default the last 90 days by date recorded, so a change just made shows at once.
        query = {
            "from": (today - dt.timedelta(days=90)).isoformat(),
            "to": today.isoformat(),
            "by": selectors.CHANGES_BY_RECORDED,
            **{k: v for k, v in self.request.GET.items() if k in ("from", "to", "by")},
        }
        form = DateRangeQueryForm(query)
        changes = None
        if form.is_valid():
            changes = selectors.board_changes_between(
                board,
                form.cleaned_data["start"],
                form.cleaned_data["end"],
                by=form.cleaned_data["by"],
            )
        return super().get_context_data(
            **self.board_context(board, form=form, changes=changes), **kwargs
        )


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return date_format(value, "j F Y")
    return str(value)


class ConflictRow(NamedTuple):
    """One field of a conflict page: its label, the value now saved, the value submitted."""

    label: str
    current: str
    submitted: str


def conflict_rows(
    form, current, *, skip: tuple[str, ...] = ("version",), submitted: dict | None = None
) -> list[ConflictRow]:
    """Each field of ``form`` with the value ``current`` holds and the one submitted (or, for a
    field named in ``submitted``, what to show for it); choices shown by their labels."""
    rows = []
    for name, field in form.fields.items():
        if name in skip:
            continue
        theirs = getattr(current, name, None)
        yours = (submitted or {}).get(name, form.cleaned_data.get(name))
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            labels = dict(field.choices)
            theirs, yours = labels.get(theirs, theirs), labels.get(yours, yours)
        rows.append(ConflictRow(str(field.label), _shown(theirs), _shown(yours)))
    return rows


class ServiceFormMixin:
    """A form page whose ``perform(form)`` makes its change through a service (permission,
    validation, write and history in one transaction): the service's ValidationError shows
    next to the fields it names, with nothing written; success says so and goes on."""

    success_message = "Saved."

    def perform(self, form):
        raise NotImplementedError

    def success_url_for(self, result) -> str:
        raise NotImplementedError

    def success_message_for(self, result) -> str:
        return self.success_message

    def form_valid(self, form):
        try:
            result = self.perform(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message_for(result))
        return redirect(self.success_url_for(result))


class BoardEditMixin(ServiceFormMixin, BoardPageMixin):
    """A form that changes a board's membership: its secretaries only, everyone else 403."""

    heading = ""
    success_message = "Saved."

    def dispatch(self, request, *args, **kwargs):
        self.board = get_object_or_404(Board.objects.select_related("system"), slug=kwargs["slug"])
        if not can_edit_board(request.user, self.board):
            raise PermissionDenied(ONLY_EDITORS)
        self.membership = None
        if "pk" in kwargs:
            # Another board's membership under this board's address is not found, not edited.
            self.membership = get_object_or_404(
                Membership.objects.select_related("person", "on_behalf_of"),
                pk=kwargs["pk"],
                board=self.board,
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **self.board_context(self.board, membership=self.membership, heading=self.heading),
            **kwargs,
        )

    def perform(self, form) -> Membership:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except services.StaleVersion as conflict:
            return self.conflict(form, conflict)

    def success_message_for(self, result: Membership) -> str:
        return self.success_message.format(m=result)

    def success_url_for(self, result: Membership) -> str:
        return self.board.get_absolute_url() + "#members"

    def conflict(self, form, conflict: services.StaleVersion):
        """The current values beside the ones submitted; nothing was written."""
        current = conflict.current
        new_person = form.cleaned_data.get("person_name")
        rows = conflict_rows(
            form,
            current,
            skip=("version", "person_name"),
            submitted={"person": f"{new_person} (new)"} if new_person else None,
        )
        return render(
            self.request,
            "governance/version_conflict.html",
            self.get_context_data(
                what="membership",
                caption=self.board.name,
                current=current,
                rows=rows,
                conflict=conflict,
                retry_url=self.request.path,
                back_url=self.board.get_absolute_url() + "#members",
                back_label=self.board.name,
            ),
            status=409,
        )


class MembershipCreateView(BoardEditMixin, FormView):
    heading = "Add a member"
    form_class = MembershipCreateForm
    template_name = "governance/membership_create.html"
    success_message = "Added {m.person} to the board."
    initial = {"voting": "yes", "role": "member"}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "board": self.board}

    def perform(self, form):
        return services.membership_create(
            actor=self.request.user, board=self.board, **form.service_kwargs()
        )


class MembershipUpdateView(BoardEditMixin, FormView):
    heading = "Change a membership"
    form_class = MembershipUpdateForm
    template_name = "governance/membership_update.html"
    success_message = "Saved the changes to {m.seat_description}."

    def get_initial(self):
        m = self.membership
        return {
            "person": m.person_id,
            "on_behalf_of": m.on_behalf_of_id,
            "role": m.role,
            "voting": "yes" if m.voting else "no",
            "label": m.label,
            "start_date": m.start_date,
            "end_date": m.end_date,
            "note": m.note,
            "version": m.version,
        }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "board": self.board, "membership": self.membership}

    def perform(self, form):
        return services.membership_update(
            actor=self.request.user,
            membership=self.membership,
            expected_version=form.cleaned_data["version"],
            **form.service_kwargs(),
        )


class MembershipEndView(BoardEditMixin, FormView):
    heading = "End a membership"
    form_class = MembershipEndForm
    template_name = "governance/membership_end.html"
    success_message = "Ended {m.seat_description}."

    def get_initial(self):
        return {
            "end_date": self.membership.end_date,
            "end_reason": self.membership.end_reason,
            "version": self.membership.version,
        }

    def perform(self, form):
        return services.membership_end(
            actor=self.request.user,
            membership=self.membership,
            expected_version=form.cleaned_data["version"],
            end_date=form.cleaned_data["end_date"],
            end_reason=form.cleaned_data["end_reason"],
        )


class VacancyRecordView(BoardEditMixin, FormView):
    heading = "Record a vacancy"
    form_class = VacancyRecordForm
    template_name = "governance/vacancy_record.html"
    success_message = "Recorded {m.seat_description}."
    initial = {"voting": "yes", "role": "member"}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "board": self.board}

    def perform(self, form):
        return services.vacancy_record(
            actor=self.request.user, board=self.board, **form.service_kwargs()
        )


class VacancyFillView(BoardEditMixin, FormView):
    heading = "Fill a vacancy"
    form_class = VacancyFillForm
    template_name = "governance/vacancy_fill.html"
    success_message = "{m.person} now holds the seat."

    def get(self, request, *args, **kwargs):
        if not self.membership.is_vacant:
            raise Http404("This seat is not vacant.")
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        return {"version": self.membership.version}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "board": self.board}

    def perform(self, form):
        return services.vacancy_fill(
            actor=self.request.user,
            membership=self.membership,
            expected_version=form.cleaned_data["version"],
            person=form.cleaned_data["person"],
            person_name=form.cleaned_data["person_name"],
            start_date=form.cleaned_data["start_date"],
        )


class AccountDetailView(TemplateView):
    """The signed-in user's own page; a secretary's shows terms ending soon and gaps. Everyone
    with a portal role sees their API tokens (never a key), creates them and revokes each."""

    template_name = "accounts/account_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        role = user_role(user)
        kwargs.setdefault("token_form", ApiTokenCreateForm())
        context = super().get_context_data(role=role, **kwargs)
        if role == PortalRole.BOARD_SECRETARY:
            context["overview"] = selectors.secretary_overview(user, timezone.localdate())
        context["role_display"] = PortalRole(role).label if role else "No portal role"
        context["tokens"] = tokens_of(user)
        context["token_days"] = settings.API_TOKEN_DAYS
        context["notifications"] = list(user.notifications.all()[:50])
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "revoke":
            return self._revoke(request)
        if action == "create":
            return self._create(request)
        return HttpResponseBadRequest("Choose to create or to revoke an API token.")

    def _revoke(self, request):
        token_id = request.POST.get("token", "")
        if not token_id.isdigit():
            return HttpResponseBadRequest("Choose the token to revoke.")
        # Only the user's own live tokens: anyone else's is not found.
        token = token_revoke_own(user=request.user, token_id=int(token_id))
        messages.success(request, f"Your token “{token.name}” is revoked: it no longer works.")
        return redirect("me")

    def _create(self, request):
        if user_role(request.user) is None:
            # A token would open nothing: every endpoint needs a portal role.
            raise PermissionDenied("Your account has no portal role; ask an administrator for one.")
        form = ApiTokenCreateForm(request.POST)
        if form.is_valid():
            try:
                issued = token_issue(user=request.user, name=form.cleaned_data["name"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                # Shown once, in this response only: never stored in the session or shown again.
                return self.render_to_response(
                    self.get_context_data(new_token=issued.key, new_token_name=issued.token.name)
                )
        return self.render_to_response(self.get_context_data(token_form=form))


def permission_denied(request, exception=None):
    """The 403 page, in the portal's layout."""
    return render(request, "governance/403.html", {"reason": exception}, status=403)
