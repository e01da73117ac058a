from rest_framework.routers import SimpleRouter

from . import outcome_views, risk_views

router = SimpleRouter()
router.register("priorities", outcome_views.PriorityViewSet, basename="priority")
router.register("outcomes", outcome_views.OutcomeViewSet, basename="outcome")
router.register("finance-figures", outcome_views.FinanceFigureViewSet, basename="finance-figure")
router.register(
    "finance-principles", outcome_views.FinancePrincipleViewSet, basename="finance-principle"
)
router.register("risks", risk_views.RiskViewSet, basename="risk")
router.register("commitments", risk_views.CommitmentViewSet, basename="commitment")
urlpatterns = router.urls
