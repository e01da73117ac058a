from django.urls import path

from . import views

app_name = "governance"
urlpatterns = [
    path("", views.BoardListView.as_view(), name="board_list"),
    path("<slug:slug>/", views.BoardDetailView.as_view(), name="board_detail"),
]
