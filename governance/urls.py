from django.urls import path

from . import list_views, meeting_views, views

app_name = "governance"
# A board's own page, /boards/<slug>/, is assurance's: it shows the board's metrics and risks.
urlpatterns = [
    path("", list_views.BoardListView.as_view(), name="board_list"),
    # A person's register of interests: "people" is no board's page below /boards/<slug>/.
    path(
        "people/<slug:key>/interests/",
        meeting_views.PersonInterestsView.as_view(),
        name="person_interests",
    ),
    path(
        "people/<slug:key>/interests/<int:pk>/confirm/",
        meeting_views.InterestConfirmView.as_view(),
        name="interest_confirm",
    ),
    path(
        "people/<slug:key>/interests/<int:pk>/change/",
        meeting_views.InterestUpdateView.as_view(),
        name="interest_update",
    ),
    path(
        "people/<slug:key>/interests/<int:pk>/end/",
        meeting_views.InterestEndView.as_view(),
        name="interest_end",
    ),
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
    path("<slug:slug>/meetings.ics", meeting_views.MeetingFeedView.as_view(), name="meeting_feed"),
    path(
        "<slug:slug>/meetings-<str:key>.ics",
        meeting_views.PrivateMeetingFeedView.as_view(),
        name="meeting_private_feed",
    ),
    path(
        "<slug:slug>/calendar-link/",
        meeting_views.CalendarLinkView.as_view(),
        name="calendar_link",
    ),
    path(
        "<slug:slug>/meetings/add/",
        meeting_views.MeetingCreateView.as_view(),
        name="meeting_create",
    ),
    path(
        "<slug:slug>/meetings/<int:pk>/",
        meeting_views.MeetingDetailView.as_view(),
        name="meeting_detail",
    ),
    path(
        "<slug:slug>/meetings/<int:pk>/change/",
        meeting_views.MeetingUpdateView.as_view(),
        name="meeting_update",
    ),
    path(
        "<slug:slug>/meetings/<int:pk>/status/",
        meeting_views.MeetingStatusView.as_view(),
        name="meeting_status",
    ),
    path(
        "<slug:slug>/meetings/<int:pk>/items/add/",
        meeting_views.AgendaItemCreateView.as_view(),
        name="agenda_item_create",
    ),
    path(
        "<slug:slug>/meetings/<int:pk>/attendance/",
        meeting_views.AttendanceView.as_view(),
        name="attendance_record",
    ),
    path(
        "<slug:slug>/meetings/<int:pk>/interests/add/",
        meeting_views.InterestCreateView.as_view(),
        name="interest_create",
    ),
    path(
        "<slug:slug>/meetings/<int:pk>/declarations/add/",
        meeting_views.DeclarationCreateView.as_view(),
        name="declaration_create",
    ),
    path(
        "<slug:slug>/meetings/<int:pk>/decisions/add/",
        meeting_views.DecisionCreateView.as_view(),
        name="decision_create",
    ),
    path(
        "<slug:slug>/meetings/<int:pk>/actions/add/",
        meeting_views.ActionCreateView.as_view(),
        name="action_create",
    ),
    path(
        "<slug:slug>/meetings/<int:pk>/items/<int:item>/papers/add/",
        meeting_views.PaperAddView.as_view(),
        name="paper_add",
    ),
    path(
        "<slug:slug>/meetings/<int:pk>/papers/<int:paper>/",
        meeting_views.PaperDownloadView.as_view(),
        name="paper_download",
    ),
]
