from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Appointment,
    Board,
    BoardStatement,
    Membership,
    Organisation,
    Person,
    ReportingLine,
    RoleGrant,
)


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
    model = Membership
    extra = 0
    autocomplete_fields = ["person", "on_behalf_of"]


@admin.register(Board)
class BoardAdmin(SimpleHistoryAdmin):
    list_display = ["name", "abbreviation", "level", "place", "status"]
    list_filter = ["level", "status", "place"]
    search_fields = ["name", "abbreviation"]
    filter_horizontal = ["required_organisations"]
    inlines = [ReportingLineInline, BoardStatementInline, MembershipInline]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "key"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["board", "person", "on_behalf_of", "role", "start_date", "end_date"]
    list_filter = ["role", "board__level"]
    search_fields = ["board__name", "person__name", "on_behalf_of__name"]
    autocomplete_fields = ["board", "person", "on_behalf_of"]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["person", "title", "organisation", "as_at"]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role"]
    list_filter = ["role"]
    filter_horizontal = ["boards"]
