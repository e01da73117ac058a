from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("metrics", views.MetricViewSet, basename="metric")
router.register("system-metrics", views.SystemMetricViewSet, basename="system-metric")
router.register("targets", views.TargetViewSet, basename="target")
router.register("observations", views.ObservationViewSet, basename="observation")
router.register("hicm", views.HICMAssessmentViewSet, basename="hicm")
router.register("annotations", views.AnnotationViewSet, basename="annotation")
urlpatterns = [
    path("observations/bulk/", views.ObservationBulkView.as_view(), name="observation_bulk"),
    path(
        "series/",
        views.SeriesViewSet.as_view({"get": "list"}, basename="series"),
        name="series_points",
    ),
    path(
        "series/<int:pk>/",
        views.SeriesViewSet.as_view({"get": "retrieve"}, basename="series"),
        name="series_detail",
    ),
    path("compare/", views.CompareView.as_view(), name="compare"),
    # Background imports: JSON only (no CSV export), so not among the router's lists.
    path("imports/", views.ImportJobViewSet.as_view({"get": "list"}), name="import-list"),
    path(
        "imports/<int:pk>/",
        views.ImportJobViewSet.as_view({"get": "retrieve"}),
        name="import-detail",
    ),
    *router.urls,
]
