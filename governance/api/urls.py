from rest_framework.routers import SimpleRouter

from . import risk_views, views

router = SimpleRouter()
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("boards", views.BoardViewSet, basename="board")
router.register("people", views.PersonViewSet, basename="person")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("risks", risk_views.RiskViewSet, basename="risk")
router.register("commitments", risk_views.CommitmentViewSet, basename="commitment")
urlpatterns = router.urls
