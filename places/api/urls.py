from rest_framework.routers import SimpleRouter

from . import outcome_views, views

router = SimpleRouter()
router.register("systems", views.SystemViewSet, basename="system")
router.register("places", views.PlaceViewSet, basename="place")
router.register("priorities", views.PriorityViewSet, basename="priority")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("outcomes", outcome_views.OutcomeViewSet, basename="outcome")
router.register("finance-figures", outcome_views.FinanceFigureViewSet, basename="finance-figure")
router.register(
    "finance-principles", outcome_views.FinancePrincipleViewSet, basename="finance-principle"
)
urlpatterns = router.urls
