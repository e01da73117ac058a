from django.urls import path

from . import views

app_name = "metrics"
urlpatterns = [
    path("<slug:code>/", views.MetricDetailView.as_view(), name="metric_detail"),
]
