from django.contrib import admin

from governance.admin import ReadOnlyHistoryAdmin

from .models import (
    AgendaItemMetric,
    AgendaItemRisk,
    Commitment,
    EscalationRoute,
    Risk,
    RiskEscalation,
)


class ViewOnlyAdmin(ReadOnlyHistoryAdmin):
    """Listed and viewed in the admin; changed only on the portal's pages, whose services
    record the reason and escalate or de-escalate (the admin would bypass both)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Risk)
class RiskAdmin(ViewOnlyAdmin):
    list_display = ["title", "place", "owner_board", "likelihood", "impact", "status"]
    list_filter = ["status", "place"]
    search_fields = ["title", "description"]


@admin.register(Commitment)
class CommitmentAdmin(ViewOnlyAdmin):
    list_display = ["text", "programme", "target_year", "owner_board", "status"]
    list_filter = ["programme_slug", "status"]
    search_fields = ["text"]


@admin.register(RiskEscalation)
class RiskEscalationAdmin(admin.ModelAdmin):
    list_display = ["risk", "board", "escalated_at", "escalated_by", "de_escalated_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EscalationRoute)
class EscalationRouteAdmin(ReadOnlyHistoryAdmin):
    """Where a system's documents name no route, an administrator records one here."""

    list_display = ["system", "board"]


@admin.register(AgendaItemMetric)
class AgendaItemMetricAdmin(admin.ModelAdmin):
    list_display = ["item", "metric"]
    list_select_related = ["item__meeting__board", "metric"]


@admin.register(AgendaItemRisk)
class AgendaItemRiskAdmin(admin.ModelAdmin):
    list_display = ["item", "risk"]
    list_select_related = ["item__meeting__board", "risk"]
