"""Changes to the structure (``/structure/``): every succession, Place move and cluster, and
the administrators' forms that record them."""

from django.urls import path

from . import lineage_views

app_name = "lineage"
urlpatterns = [
    path("", lineage_views.LineageView.as_view(), name="changes"),
    path("succession/", lineage_views.SuccessionRecordView.as_view(), name="succession_record"),
    path("place-move/", lineage_views.PlaceMoveView.as_view(), name="place_move"),
    path("clusters/add/", lineage_views.ClusterCreateView.as_view(), name="cluster_create"),
]
