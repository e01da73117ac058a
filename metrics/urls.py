from django.urls import path

from . import upload_views, views

app_name = "metrics"
urlpatterns = [
    path("", views.MetricListView.as_view(), name="metric_list"),
    path("summary/", views.MetricSummaryView.as_view(), name="metric_summary"),
    # Before the metric's own pages; a metric may not take one of these paths as its code
    # (metrics.reserved).
    path("uploads/", upload_views.UploadView.as_view(), name="upload"),
    path("uploads/<int:pk>/", upload_views.UploadJobView.as_view(), name="upload_job"),
    path("uploads/<int:pk>/errors.csv", upload_views.upload_errors_csv, name="upload_errors"),
    path("<slug:code>/", views.MetricDetailView.as_view(), name="metric_detail"),
    path("<slug:code>/compare/", views.MetricCompareView.as_view(), name="metric_compare"),
    path(
        "<slug:code>/annotations/new/",
        views.AnnotationCreateView.as_view(),
        name="annotation_create",
    ),
]
