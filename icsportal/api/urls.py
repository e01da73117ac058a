"""The API under /api/v1/, assembled from each app's routes."""

from django.urls import include, path

from governance.api.popolo import PopoloExportView

from .tokens import TokenView

app_name = "api"
urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("export/popolo.json", PopoloExportView.as_view(), name="popolo"),
    path("", include("places.api.urls")),
    path("", include("governance.api.urls")),
    path("", include("metrics.api.urls")),
]
