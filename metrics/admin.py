from django.contrib import admin

from .models import (
    HICMAssessment,
    HighImpactChange,
    ImportBatch,
    Metric,
    MetricStatement,
    Observation,
    Series,
    Target,
)


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ["code", "short_name", "category", "polarity", "frequency", "is_synthetic"]
    list_filter = ["category", "polarity", "outcome", "is_synthetic"]
    search_fields = ["code", "name", "short_name"]


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["id", "metric", "subject_type", "system", "place", "organisation"]
    list_filter = ["subject_type", "metric__category"]
    list_select_related = ["metric", "system", "place", "organisation"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["series", "period_label", "value", "source_document", "source_line"]
    list_select_related = ["series__metric", "source_document"]


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ["series", "period_start", "value", "provenance"]
    list_filter = ["provenance"]
    list_select_related = ["series__metric"]
    raw_id_fields = ["series", "batch"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "file_name",
        "uploaded_by",
        "created_at",
        "created",
        "updated",
        "unchanged",
    ]

    def has_delete_permission(self, request, obj=None):
        # A batch says who wrote an observation and when, and holds its changes' history.
        return False


@admin.register(MetricStatement)
class MetricStatementAdmin(admin.ModelAdmin):
    list_display = ["metric", "kind", "period_label", "text"]


class HICMAssessmentInline(admin.TabularInline):
    model = HICMAssessment
    extra = 0


@admin.register(HighImpactChange)
class HighImpactChangeAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "area"]
    inlines = [HICMAssessmentInline]
