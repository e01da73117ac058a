from django.urls import path

from . import list_views, views

app_name = "governance"
# A board's own page, /boards/<slug>/, is assurance's: it shows the board's metrics and risks.
urlpatterns = [
    path("", list_views.BoardListView.as_view(), name="board_list"),
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
