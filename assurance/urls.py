from django.urls import path

from . import outcome_views, pack_views, risk_views, views

app_name = "assurance"
urlpatterns = [
    path("", views.SystemOverviewView.as_view(), name="system_overview"),
    path("concerns/", views.ConcernListView.as_view(), name="concern_list"),
    path("places/<slug:slug>/", views.PlaceDetailView.as_view(), name="place_detail"),
    path("places/<slug:slug>/metrics/", views.PlaceMetricsView.as_view(), name="place_metrics"),
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
    # The register and the commitments come before the board pages, whose slugs they would match.
    path("boards/risks/", risk_views.RiskListView.as_view(), name="risk_list"),
    path("boards/risks/add/", risk_views.RiskCreateView.as_view(), name="risk_create"),
    path("boards/risks/export.csv", risk_views.RiskExportView.as_view(), name="risk_export"),
    path("boards/risks/<slug:key>/", risk_views.RiskDetailView.as_view(), name="risk_detail"),
    path(
        "boards/risks/<slug:key>/change/", risk_views.RiskUpdateView.as_view(), name="risk_update"
    ),
    path(
        "boards/risks/<slug:key>/review/", risk_views.RiskReviewView.as_view(), name="risk_review"
    ),
    path(
        "boards/risks/<slug:key>/actions/add/",
        risk_views.ActionCreateView.as_view(),
        name="action_create",
    ),
    path(
        "boards/risks/<slug:key>/actions/<int:pk>/status/",
        risk_views.ActionUpdateView.as_view(),
        name="action_update",
    ),
    path("boards/commitments/", risk_views.CommitmentListView.as_view(), name="commitment_list"),
    path(
        "boards/commitments/<slug:key>/status/",
        risk_views.CommitmentUpdateView.as_view(),
        name="commitment_update",
    ),
    # A board's page joins its metrics, risks and outcomes; its membership pages are governance's.
    path("boards/<slug:slug>/", views.BoardDetailView.as_view(), name="board_detail"),
    path(
        "boards/<slug:slug>/meetings/<int:pk>/pack/",
        pack_views.PackDetailView.as_view(),
        name="pack_detail",
    ),
    path(
        "boards/<slug:slug>/meetings/<int:pk>/pack.pdf",
        pack_views.PackPDFView.as_view(),
        name="pack_pdf",
    ),
    path(
        "boards/<slug:slug>/meetings/<int:pk>/pack/publish/",
        pack_views.PackPublishView.as_view(),
        name="pack_publish",
    ),
    path(
        "boards/<slug:slug>/meetings/<int:pk>/items/<int:item>/links/",
        pack_views.AgendaItemLinkView.as_view(),
        name="agenda_item_link",
    ),
]
