from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("systems", views.SystemViewSet, basename="system")
router.register("places", views.PlaceViewSet, basename="place")
router.register("documents", views.DocumentViewSet, basename="document")
urlpatterns = router.urls
