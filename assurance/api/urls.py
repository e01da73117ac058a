from django.urls import path
from rest_framework.routers import SimpleRouter

from .. import pack_views
from . import dashboard_views, outcome_views, risk_views

router = SimpleRouter()
router.register("priorities", outcome_views.PriorityViewSet, basename="priority")
router.register("outcomes", outcome_views.OutcomeViewSet, basename="outcome")
router.register("finance-figures", outcome_views.FinanceFigureViewSet, basename="finance-figure")
router.register(
    "finance-principles", outcome_views.FinancePrincipleViewSet, basename="finance-principle"
)
router.register("risks", risk_views.RiskViewSet, basename="risk")
router.register("commitments", risk_views.CommitmentViewSet, basename="commitment")
urlpatterns = [
    path("dashboards/", dashboard_views.DashboardListView.as_view(), name="dashboard_list"),
    path("dashboards/system/", dashboard_views.DashboardView.as_view(), name="dashboard_system"),
    # A Place's slug, or a system's own.
    path(
        "dashboards/<slug:slug>/", dashboard_views.DashboardView.as_view(), name="dashboard_place"
    ),
    path("meetings/<int:pk>/pack/", pack_views.MeetingPackView.as_view(), name="meeting_pack"),
    *router.urls,
]
