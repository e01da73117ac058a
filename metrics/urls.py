from django.urls import path

from . import views

app_name = "metrics"
urlpatterns = [
    path("", views.MetricListView.as_view(), name="metric_list"),
    path("summary/", views.MetricSummaryView.as_view(), name="metric_summary"),
    path("<slug:code>/", views.MetricDetailView.as_view(), name="metric_detail"),
    path("<slug:code>/compare/", views.MetricCompareView.as_view(), name="metric_compare"),
    path(
        "<slug:code>/annotations/new/",
        views.AnnotationCreateView.as_view(),
        name="annotation_create",
    ),
]
