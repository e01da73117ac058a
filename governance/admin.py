from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    Action,
    AgendaItem,
    Appointment,
    Attendance,
    Board,
    BoardStatement,
    BoardSuccession,
    Decision,
    Declaration,
    Interest,
    Meeting,
    Membership,
    Organisation,
    OrganisationSuccession,
    Person,
    ReportingLine,
    RoleGrant,
)


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """History is listed and each past version can be viewed, never reverted or edited."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # SIMPLE_HISTORY_REVERT_DISABLED only hides the button; a POST would still revert.
        if request.method != "GET":
            raise PermissionDenied("History cannot be changed.")
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "kind", "is_collective"]
    list_filter = ["kind", "system"]
    search_fields = ["name", "abbreviation"]


class ReportingLineInline(admin.TabularInline):
    model = ReportingLine
    fk_name = "board"
    extra = 0


class BoardStatementInline(admin.TabularInline):
    model = BoardStatement
    extra = 0


class MembershipInline(admin.TabularInline):
    """The board's memberships, read-only: they are changed one by one, with their rules."""

    model = Membership
    extra = 0
    fields = ["person", "on_behalf_of", "role", "voting", "start_date", "end_date", "version"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Board)
class BoardAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "abbreviation", "level", "place", "status"]
    list_filter = ["level", "status", "place"]
    search_fields = ["name", "abbreviation"]
    filter_horizontal = ["required_organisations"]
    inlines = [ReportingLineInline, BoardStatementInline, MembershipInline]


@admin.register(Person)
class PersonAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "key", "user"]
    search_fields = ["name"]
    # Linking a person to their portal account lets them read their boards' private meetings.
    raw_id_fields = ["user"]


class MembershipAdminForm(forms.ModelForm):
    """The admin's membership form: the services' rules, and the version it was read at."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Membership
        fields = [
            "board",
            "person",
            "person_not_named",
            "on_behalf_of",
            "role",
            "label",
            "voting",
            "start_date",
            "end_date",
            "end_reason",
            "note",
            "origin_key",
            "source_document",
            "source_line",
            "also_sources",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def _post_clean(self):
        super()._post_clean()
        try:
            services.membership_rules_check(self.instance, model_checks=False)
        except ValidationError as error:
            self._update_errors(error)
        expected = self.cleaned_data.get("expected_version")
        if self.instance.pk and expected is not None:
            current = Membership.objects.filter(pk=self.instance.pk).values_list(
                "version", flat=True
            )
            if current.first() != expected:
                self.add_error(
                    None,
                    "Someone else changed this membership after you opened it. "
                    "Reload the page to see their change, then make yours again.",
                )


@admin.register(Membership)
class MembershipAdmin(ReadOnlyHistoryAdmin):
    form = MembershipAdminForm
    list_display = ["board", "person", "on_behalf_of", "role", "start_date", "end_date"]
    list_filter = ["role", "board__level"]
    search_fields = ["board__name", "person__name", "on_behalf_of__name"]
    autocomplete_fields = ["board", "person", "on_behalf_of"]

    def get_readonly_fields(self, request, obj=None):
        # A membership never moves to another board.
        return ["board", "version"] if obj else ["version"]

    def save_model(self, request, obj, form, change):
        services.membership_admin_save(
            actor=request.user,
            membership=obj,
            expected_version=form.cleaned_data.get("expected_version"),
        )


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["person", "title", "organisation", "as_at"]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role"]
    list_filter = ["role"]
    filter_horizontal = ["boards"]


class ViewOnlyAdmin(ReadOnlyHistoryAdmin):
    """Meetings and their records are written through the pages and the API (their services
    check who may write and keep versions); the admin shows them and their history."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ViewOnlyAdmin):
    list_display = ["board", "title", "start", "end", "status", "is_public", "pack_published_at"]
    list_filter = ["status", "is_public", "board"]
    date_hierarchy = "start"


@admin.register(AgendaItem)
class AgendaItemAdmin(ViewOnlyAdmin):
    list_display = ["meeting", "number", "title", "purpose", "is_public"]
    list_select_related = ["meeting__board"]


@admin.register(Attendance)
class AttendanceAdmin(ViewOnlyAdmin):
    list_display = ["meeting", "membership", "status", "deputy_name"]
    list_select_related = ["meeting__board", "membership__person", "membership__board"]


@admin.register(Interest)
class InterestAdmin(ViewOnlyAdmin):
    list_display = ["person", "description", "organisation", "kind", "start_date", "end_date"]
    list_filter = ["kind"]
    search_fields = ["person__name", "description", "organisation__name"]


@admin.register(Declaration)
class DeclarationAdmin(ViewOnlyAdmin):
    list_display = ["item", "person", "action"]


@admin.register(Decision)
class DecisionAdmin(ViewOnlyAdmin):
    list_display = ["item", "decided_on"]


@admin.register(Action)
class ActionAdmin(ViewOnlyAdmin):
    list_display = ["board", "description", "owner", "due_date", "status"]
    list_filter = ["status", "board"]


# Successions are recorded through /structure/ and the API (the service checks the
# administrator, the reason and the source, and ends and starts the bodies concerned); the
# admin shows them and their history.
@admin.register(BoardSuccession, OrganisationSuccession)
class SuccessionAdmin(ViewOnlyAdmin):
    list_display = ["predecessor", "successor", "kind", "date"]
    list_filter = ["kind"]
