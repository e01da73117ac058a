from rest_framework.routers import SimpleRouter

from . import lineage, meeting_views, views

router = SimpleRouter()
# The facts: places' endpoint, with each workstream's leads.
router.register("facts", views.FactViewSet, basename="fact")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("boards", views.BoardViewSet, basename="board")
router.register("board-successions", lineage.BoardSuccessionViewSet, basename="board-succession")
router.register(
    "organisation-successions",
    lineage.OrganisationSuccessionViewSet,
    basename="organisation-succession",
)
router.register("people", views.PersonViewSet, basename="person")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("meetings", meeting_views.MeetingViewSet, basename="meeting")
router.register("agenda-items", meeting_views.AgendaItemViewSet, basename="agenda-item")
router.register("attendance", meeting_views.AttendanceViewSet, basename="attendance")
router.register("interests", meeting_views.InterestViewSet, basename="interest")
router.register("declarations", meeting_views.DeclarationViewSet, basename="declaration")
router.register("actions", meeting_views.ActionViewSet, basename="action")
urlpatterns = router.urls
