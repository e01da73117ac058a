from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.SystemOverviewView.as_view(), name="system_overview"),
    path("places/<slug:slug>/", views.PlaceDetailView.as_view(), name="place_detail"),
]
