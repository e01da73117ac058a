from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("systems", views.SystemViewSet, basename="system")
router.register("places", views.PlaceViewSet, basename="place")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("facts", views.FactViewSet, basename="fact")
router.register("data-quality", views.DataQualityFlagViewSet, basename="data_quality_flag")
urlpatterns = router.urls
