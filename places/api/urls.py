from rest_framework.routers import SimpleRouter

from . import lineage, views

router = SimpleRouter()
router.register("systems", views.SystemViewSet, basename="system")
router.register("places", views.PlaceViewSet, basename="place")
router.register("place-moves", lineage.PlaceInSystemViewSet, basename="place-in-system")
router.register("clusters", lineage.ClusterViewSet, basename="cluster")
router.register("documents", views.DocumentViewSet, basename="document")
# "facts" is served by governance.api, which adds each workstream's leads.
router.register("data-quality", views.DataQualityFlagViewSet, basename="data_quality_flag")
urlpatterns = router.urls
