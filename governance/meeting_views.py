"""Meeting pages and a board secretary's meeting forms, and the board's iCalendar feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import FormView, TemplateView

from icsportal.roles import can_see_system
from places.pages import one_by_key

from . import meeting_forms as forms
from . import meetings as services
from .forms import add_service_errors
from .ical import calendar
from .meeting_selectors import (
    items_for,
    items_with_details,
    meeting_conflicts,
    meeting_quorum,
    meetings_for,
    seats_at,
)
from .models import Board, CalendarToken, Interest, Membership, Paper, Person
from .permissions import can_edit_board, can_read_private
from .views import BoardPageMixin, ServiceFormMixin, conflict_rows


def meeting_for(user, slug: str, pk: int):
    """The meeting ``pk`` of board ``slug`` if the user may see it; 404 otherwise."""
    meeting = meetings_for(user).select_related("board").filter(pk=pk, board__slug=slug).first()
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


class MeetingPageMixin(BoardPageMixin):
    def meeting_context(self, meeting, **extra) -> dict:
        context = self.board_context(meeting.board, meeting=meeting, **extra)
        context["crumbs"] = [
            *context["crumbs"],
            ("Meetings", meeting.board.get_absolute_url() + "#meetings"),
        ]
        return context


class MeetingDetailView(MeetingPageMixin, TemplateView):
    """A meeting: agenda and papers, attendance and quorum, declarations, decisions, actions,
    and (for those who read the board's private business) conflict prompts."""

    template_name = "governance/meeting_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        meeting = meeting_for(user, self.kwargs["slug"], self.kwargs["pk"])
        items = items_with_details(meeting, user)
        private = can_read_private(user, meeting.board_id)
        return super().get_context_data(
            **self.meeting_context(
                meeting,
                items=items,
                quorum=meeting_quorum(meeting),
                seats=seats_at(meeting),
                conflicts=meeting_conflicts(meeting, items) if private else [],
                actions=meeting.actions.select_related("item").order_by("due_date", "id"),
                can_edit=can_edit_board(user, meeting.board_id),
                today=timezone.localdate(),
            ),
            **kwargs,
        )


class MeetingEditMixin(ServiceFormMixin, MeetingPageMixin):
    """A form about a board's meeting: the board's secretaries and admins only."""

    heading = ""
    anchor = ""

    def dispatch(self, request, *args, **kwargs):
        self.board = get_object_or_404(Board, slug=kwargs["slug"])
        if not can_edit_board(request.user, self.board):
            raise PermissionDenied(services.ONLY_MEETING_EDITORS)
        self.meeting = None
        if "pk" in kwargs:
            self.meeting = get_object_or_404(
                self.board.meetings.select_related("board"), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = self.board_context(self.board, heading=self.heading, meeting=self.meeting)
        return super().get_context_data(**context, **kwargs)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except services.VersionConflict:
            form.add_error(
                None, "Someone else changed this meeting; reload the page and try again."
            )
            return self.form_invalid(form)

    def success_url_for(self, result) -> str:
        target = result if self.meeting is None else self.meeting
        return target.get_absolute_url() + self.anchor

    def items(self):
        return self.meeting.items.order_by("number")

    def people(self):
        """The people who hold a seat on the board on the meeting's day."""
        day = timezone.localtime(self.meeting.start).date()
        seated = Membership.objects.active_on(day).filter(board=self.board)
        return Person.objects.filter(memberships__in=seated).distinct().order_by("name")


def _meeting_details(form) -> dict:
    """A meeting's details as its form gives them: what scheduling and changing it both save."""
    data = form.cleaned_data
    return {
        "start": form.start(),
        "end": form.end_time(),
        "title": data["title"],
        "location": data["location"],
        "link": data["link"],
        "is_public": data["is_public"],
    }


class MeetingCreateView(MeetingEditMixin, FormView):
    heading = "Schedule a meeting"
    success_message = "Meeting scheduled."
    form_class = forms.MeetingForm
    template_name = "governance/meeting_form.html"

    def perform(self, form):
        return services.meeting_create(
            actor=self.request.user, board=self.board, **_meeting_details(form)
        )


class MeetingUpdateView(MeetingEditMixin, FormView):
    heading = "Change the meeting's details"
    success_message = "Meeting changed."
    form_class = forms.MeetingChangeForm
    template_name = "governance/meeting_form.html"

    def get_initial(self):
        m = self.meeting
        start = timezone.localtime(m.start)
        return {
            "title": m.title,
            "day": start.date(),
            "time": start.strftime("%H:%M"),
            "end": timezone.localtime(m.end).strftime("%H:%M") if m.end else "",
            "location": m.location,
            "link": m.link,
            "is_public": "yes" if m.is_public else "no",
            "version": m.version,
        }

    def perform(self, form):
        return services.meeting_update(
            actor=self.request.user,
            meeting=self.meeting.pk,
            expected_version=form.cleaned_data["version"],
            **_meeting_details(form),
        )


class MeetingStatusView(MeetingEditMixin, FormView):
    heading = "Change the meeting's status"
    success_message = "Status changed."

    form_class = forms.MeetingStatusForm
    template_name = "governance/meeting_form.html"

    def get_initial(self):
        return {"status": self.meeting.status, "version": self.meeting.version}

    def perform(self, form):
        return services.meeting_update(
            actor=self.request.user,
            meeting=self.meeting.pk,
            expected_version=form.cleaned_data["version"],
            status=form.cleaned_data["status"],
        )


class AgendaItemCreateView(MeetingEditMixin, FormView):
    heading = "Add an agenda item"
    success_message = "Item added."
    anchor = "#agenda"
    form_class = forms.AgendaItemForm
    template_name = "governance/meeting_form.html"

    def get_initial(self):
        return {"number": self.meeting.items.count() + 1}

    def perform(self, form):
        data = dict(form.cleaned_data)
        data["organisations"] = list(data["organisations"])
        return services.agenda_item_create(actor=self.request.user, meeting=self.meeting, **data)


class PaperAddView(MeetingEditMixin, FormView):
    heading = "Add a paper"
    success_message = "Paper added."
    anchor = "#agenda"
    form_class = forms.PaperForm
    template_name = "governance/meeting_form.html"

    def perform(self, form):
        item = get_object_or_404(self.meeting.items, pk=self.kwargs["item"])
        return services.paper_add(
            actor=self.request.user,
            item=item,
            title=form.cleaned_data["title"],
            file=form.cleaned_data["file"],
            url=form.cleaned_data["url"],
        )


class AttendanceView(MeetingEditMixin, FormView):
    heading = "Record attendance"
    success_message = "Attendance recorded."
    anchor = "#attendance"
    template_name = "governance/meeting_form.html"

    def get_form(self, form_class=None):
        self.seats = seats_at(self.meeting)
        return forms.AttendanceForm(**self.get_form_kwargs(), seats=self.seats)

    def perform(self, form):
        errors = {}
        for seat in self.seats:
            status = form.cleaned_data[f"seat_{seat.pk}"]
            deputy = form.cleaned_data[f"deputy_{seat.pk}"]
            if not status:
                continue
            try:
                if seat.attendance is None:
                    services.attendance_record(
                        actor=self.request.user,
                        meeting=self.meeting,
                        membership=seat,
                        status=status,
                        deputy_name=deputy,
                    )
                else:
                    services.attendance_update(
                        actor=self.request.user,
                        attendance=seat.attendance.pk,
                        expected_version=seat.attendance.version,
                        status=status,
                        deputy_name=deputy,
                    )
            except ValidationError:
                errors[f"deputy_{seat.pk}"] = "Name the deputy who attended"
        if errors:
            raise ValidationError(errors)
        return self.meeting


class InterestCreateView(MeetingEditMixin, FormView):
    heading = "Record an interest"
    success_message = "Interest recorded."
    anchor = "#conflicts"
    template_name = "governance/meeting_form.html"

    def get_form(self, form_class=None):
        return forms.InterestForm(**self.get_form_kwargs(), people=self.people())

    def perform(self, form):
        return services.interest_create(actor=self.request.user, **form.cleaned_data)


class DeclarationCreateView(MeetingEditMixin, FormView):
    heading = "Record a declaration"
    success_message = "Declaration recorded."
    anchor = "#agenda"
    template_name = "governance/meeting_form.html"

    def get_form(self, form_class=None):
        return forms.DeclarationForm(
            **self.get_form_kwargs(), items=self.items(), people=self.people()
        )

    def perform(self, form):
        return services.declaration_record(actor=self.request.user, **form.cleaned_data)


class DecisionCreateView(MeetingEditMixin, FormView):
    heading = "Record a decision"
    success_message = "Decision recorded."
    anchor = "#agenda"
    template_name = "governance/meeting_form.html"

    def get_form(self, form_class=None):
        return forms.DecisionForm(**self.get_form_kwargs(), items=self.items())

    def perform(self, form):
        return services.decision_record(actor=self.request.user, **form.cleaned_data)


class ActionCreateView(MeetingEditMixin, FormView):
    heading = "Record an action"
    success_message = "Action recorded."
    anchor = "#actions"
    template_name = "governance/meeting_form.html"

    def get_form(self, form_class=None):
        return forms.ActionForm(**self.get_form_kwargs(), items=self.items())

    def perform(self, form):
        return services.action_create(
            actor=self.request.user, board=self.board, meeting=self.meeting, **form.cleaned_data
        )


class PaperDownloadView(View):
    """An uploaded paper, to those who may read its item (a private item's only to the board's
    members, secretaries and administrators); a linked paper redirects to its link."""

    def get(self, request, slug, pk, paper):
        item_ids = items_for(request.user).filter(meeting_id=pk, meeting__board__slug=slug)
        found = Paper.objects.filter(pk=paper, item__in=item_ids).first()
        if found is None:
            raise Http404("No such paper.")
        if not found.file:
            return redirect(found.url)
        name = found.file.name.rsplit("/", 1)[-1]
        response = FileResponse(found.file.open("rb"), content_type=found.content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        # The type was checked on upload; the browser must not guess another.
        response["X-Content-Type-Options"] = "nosniff"
        return response


def _feed(request, board: Board, user) -> HttpResponse:
    meetings = (
        meetings_for(user).filter(board=board).select_related("board").order_by("start", "id")
    )
    body = calendar(meetings, name=board.name, host=request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{board.slug}-meetings.ics"'
    return response


class MeetingFeedView(View):
    """The board's meetings as iCalendar, for a signed-in user."""

    def get(self, request, slug):
        return _feed(request, get_object_or_404(Board, slug=slug), request.user)


@method_decorator(login_not_required, name="dispatch")
class PrivateMeetingFeedView(View):
    """The same feed for calendar programs, which cannot sign in: the user's revocable secret
    in the address stands for them (and shows what they may see)."""

    def get(self, request, slug, key):
        token = CalendarToken.objects.select_related("user").filter(key=key).first()
        if token is None or not token.user.is_active:
            raise Http404("No such calendar.")
        board = get_object_or_404(Board, slug=slug)
        # Roles are per system: the link shows only the boards of systems its owner may see.
        if not can_see_system(token.user, board.system_id):
            raise Http404("No such calendar.")
        return _feed(request, board, token.user)


class CalendarLinkView(View):
    """POST: renew (or, with ``revoke``, withdraw) the user's private calendar link."""

    def post(self, request, slug):
        board = get_object_or_404(Board, slug=slug)
        if "revoke" in request.POST:
            services.calendar_token_revoke(user=request.user)
            messages.success(request, "Your private calendar link no longer works.")
        else:
            services.calendar_token_renew(user=request.user)
            messages.success(
                request, "Your new private calendar link is below; the old one no longer works."
            )
        return redirect(board.get_absolute_url() + "#meetings")


class PersonInterestsView(TemplateView):
    """A person's register of interests, for every portal role; the secretaries of a board the
    person sits or sat on, and administrators, add entries and record annual confirmations."""

    template_name = "governance/person_interests.html"

    def dispatch(self, request, *args, **kwargs):
        self.person = one_by_key(request, Person.objects.all(), kwargs["key"])
        self.can_edit = services.can_edit_person(request.user, self.person)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        person = self.person
        boards = Board.objects.filter(memberships__person=person).distinct().order_by("name")
        if self.can_edit and form is None:
            form = forms.RegisterInterestForm()
        return super().get_context_data(
            person=person,
            interests=person.interests.select_related("organisation").order_by(
                "-declared_on", "id"
            ),
            boards=boards,
            can_edit=self.can_edit,
            today=timezone.localdate(),
            form=form if self.can_edit else None,
            nav_section="boards",
            crumbs=[("Boards", reverse("governance:board_list"))],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not self.can_edit:
            raise PermissionDenied(PERSON_EDITORS)
        form = forms.RegisterInterestForm(request.POST)
        if form.is_valid():
            try:
                services.interest_create(
                    actor=request.user, person=self.person, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Interest recorded.")
                return redirect(self.person.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form), status=200)


PERSON_EDITORS = (
    "Only the secretaries of this person's boards and administrators can change their interests."
)


class InterestConfirmView(View):
    """Record the annual confirmation of one entry in a person's register."""

    def post(self, request, key, pk):
        person = one_by_key(request, Person.objects.all(), key)
        interest = get_object_or_404(person.interests, pk=pk)
        if not services.can_edit_person(request.user, person):
            raise PermissionDenied(PERSON_EDITORS)
        form = forms.InterestConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Reload the page and try again.")
        else:
            try:
                services.interest_confirm(
                    actor=request.user,
                    interest=interest.pk,
                    expected_version=form.cleaned_data["version"],
                )
            except services.VersionConflict:
                messages.error(
                    request, "Someone else changed this interest; check it and confirm again."
                )
            else:
                messages.success(request, f"Confirmed: {interest.description}.")
        return redirect(person.get_absolute_url())


class InterestEditMixin(ServiceFormMixin):
    """A form about one entry in a person's register: the secretaries of the person's boards
    and administrators only (as on the register and in the API)."""

    heading = ""
    template_name = "governance/interest_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.person = one_by_key(request, Person.objects.all(), kwargs["key"])
        self.interest = get_object_or_404(
            self.person.interests.select_related("organisation"), pk=kwargs["pk"]
        )
        if not services.can_edit_person(request.user, self.person):
            raise PermissionDenied(PERSON_EDITORS)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            person=self.person,
            interest=self.interest,
            heading=self.heading,
            nav_section="boards",
            crumbs=[
                ("Boards", reverse("governance:board_list")),
                (f"Register of interests: {self.person.name}", self.person.get_absolute_url()),
            ],
            **kwargs,
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except services.VersionConflict as conflict:
            return self.conflict(form, conflict)

    def conflict(self, form, conflict: services.VersionConflict):
        """The entry as saved now beside what was submitted; nothing was written."""
        current = Interest.objects.select_related("organisation").get(pk=self.interest.pk)
        return render(
            self.request,
            "governance/version_conflict.html",
            self.get_context_data(
                what="interest",
                caption=self.person.name,
                current=current,
                rows=conflict_rows(form, current),
                conflict=conflict,
                retry_url=self.request.get_full_path(),
                back_url=self.person.get_absolute_url(),
                back_label=f"the register of interests of {self.person.name}",
            ),
            status=409,
        )

    def success_message_for(self, result: Interest) -> str:
        return self.success_message.format(description=result.description)

    def success_url_for(self, result: Interest) -> str:
        return self.person.get_absolute_url()


class InterestUpdateView(InterestEditMixin, FormView):
    heading = "Change an interest"
    success_message = "Saved the changes to: {description}."
    form_class = forms.InterestChangeForm

    def get_initial(self):
        i = self.interest
        return {
            "organisation": i.organisation_id,
            "description": i.description,
            "kind": i.kind,
            "declared_on": i.declared_on,
            "start_date": i.start_date,
            "end_date": i.end_date,
            "version": i.version,
        }

    def perform(self, form):
        data = dict(form.cleaned_data)
        return services.interest_update(
            actor=self.request.user,
            interest=self.interest.pk,
            expected_version=data.pop("version"),
            **data,
        )


class InterestEndView(InterestEditMixin, FormView):
    heading = "End an interest"
    success_message = "Ended: {description}."
    form_class = forms.InterestEndForm

    def get_initial(self):
        return {"end_date": timezone.localdate(), "version": self.interest.version}

    def perform(self, form):
        return services.interest_end(
            actor=self.request.user,
            interest=self.interest.pk,
            expected_version=form.cleaned_data["version"],
            end_date=form.cleaned_data["end_date"],
        )
