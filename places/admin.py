from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Cluster,
    DataQualityFlag,
    Document,
    Fact,
    Place,
    PlaceInSystem,
    Priority,
    System,
)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["key", "short_title", "file_name", "is_draft"]
    search_fields = ["title", "short_title", "file_name"]


@admin.register(System)
class SystemAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "population", "is_synthetic"]
    search_fields = ["name"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "system", "is_synthetic"]
    list_filter = ["system"]
    search_fields = ["name"]


@admin.register(Fact)
class FactAdmin(admin.ModelAdmin):
    list_display = [
        "key",
        "kind",
        "place",
        "label",
        "value",
        "unit",
        "source_document",
        "source_line",
    ]
    list_filter = ["kind", "system", "place"]
    search_fields = ["key", "label", "text"]


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ["title", "place", "status"]
    list_filter = ["place", "status"]
    search_fields = ["title", "description"]


@admin.register(DataQualityFlag)
class DataQualityFlagAdmin(admin.ModelAdmin):
    list_display = ["key", "source_document", "source_line"]
    search_fields = ["key", "issue", "handling"]


@admin.register(PlaceInSystem, Cluster)
class StructureAdmin(SimpleHistoryAdmin):
    """Recorded through /structure/ and the API (``places.lineage``: the administrator, the
    reason and the source are checked there); shown here with their history, not edited."""

    list_display = ["__str__", "valid_from", "valid_to"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
