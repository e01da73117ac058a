from django.urls import path

from . import list_views, risk_views, views

app_name = "governance"
urlpatterns = [
    path("", list_views.BoardListView.as_view(), name="board_list"),
    # The register and the commitments come before the board pages, whose slugs they would match.
    path("risks/", risk_views.RiskListView.as_view(), name="risk_list"),
    path("risks/add/", risk_views.RiskCreateView.as_view(), name="risk_create"),
    path("risks/export.csv", risk_views.RiskExportView.as_view(), name="risk_export"),
    path("risks/<slug:key>/", risk_views.RiskDetailView.as_view(), name="risk_detail"),
    path("risks/<slug:key>/change/", risk_views.RiskUpdateView.as_view(), name="risk_update"),
    path("risks/<slug:key>/review/", risk_views.RiskAssessView.as_view(), name="risk_review"),
    path("risks/<slug:key>/actions/add/", risk_views.ActionAddView.as_view(), name="action_create"),
    path(
        "risks/<slug:key>/actions/<int:pk>/status/",
        risk_views.ActionStatusView.as_view(),
        name="action_update",
    ),
    path("commitments/", risk_views.CommitmentListView.as_view(), name="commitment_list"),
    path(
        "commitments/<slug:key>/status/",
        risk_views.CommitmentUpdateView.as_view(),
        name="commitment_update",
    ),
    path("<slug:slug>/", views.BoardDetailView.as_view(), name="board_detail"),
    path("<slug:slug>/as-at/", views.BoardAsAtView.as_view(), name="board_as_at"),
    path("<slug:slug>/changes/", views.BoardChangesView.as_view(), name="board_changes"),
    path(
        "<slug:slug>/members/add/",
        views.MembershipCreateView.as_view(),
        name="membership_create",
    ),
    path(
        "<slug:slug>/members/<int:pk>/change/",
        views.MembershipUpdateView.as_view(),
        name="membership_update",
    ),
    path(
        "<slug:slug>/members/<int:pk>/end/",
        views.MembershipEndView.as_view(),
        name="membership_end",
    ),
    path(
        "<slug:slug>/vacancies/add/",
        views.VacancyRecordView.as_view(),
        name="vacancy_record",
    ),
    path(
        "<slug:slug>/vacancies/<int:pk>/fill/",
        views.VacancyFillView.as_view(),
        name="vacancy_fill",
    ),
]
