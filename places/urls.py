from django.urls import path

from . import outcome_views, views

app_name = "places"
urlpatterns = [
    path("", views.SystemOverviewView.as_view(), name="system_overview"),
    path("concerns/", views.SystemConcernsView.as_view(), name="concern_list"),
    path("places/<slug:slug>/", views.PlaceDetailView.as_view(), name="place_detail"),
    path("places/<slug:slug>/outcomes/", views.PlaceOutcomesView.as_view(), name="place_outcomes"),
    path("places/<slug:slug>/finance/", views.PlaceFinanceView.as_view(), name="place_finance"),
    path("outcomes/", outcome_views.OutcomeListView.as_view(), name="outcome_list"),
    path(
        "outcomes/priorities/<slug:key>/",
        outcome_views.PriorityDetailView.as_view(),
        name="priority_detail",
    ),
    path(
        "outcomes/priorities/<slug:key>/outcomes/add/",
        outcome_views.PriorityOutcomeCreateView.as_view(),
        name="priority_outcome_create",
    ),
    path(
        "outcomes/priorities/<slug:key>/outcomes/<int:pk>/remove/",
        outcome_views.PriorityOutcomeDeleteView.as_view(),
        name="priority_outcome_delete",
    ),
    path(
        "outcomes/priorities/<slug:key>/metrics/add/",
        outcome_views.PriorityMetricCreateView.as_view(),
        name="priority_metric_create",
    ),
    path(
        "outcomes/priorities/<slug:key>/metrics/<int:pk>/remove/",
        outcome_views.PriorityMetricDeleteView.as_view(),
        name="priority_metric_delete",
    ),
    path("finance/", outcome_views.FinanceView.as_view(), name="finance"),
]
