from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from governance.api.popolo import PopoloExportView
from governance.forms import PortalAuthenticationForm
from governance.views import AccountDetailView
from metrics.views import SPCIconsView

from . import views
from .api.tokens import TokenView
from .api.views import APIRootView, api_endpoints

# The API under /api/v1/, assembled from each app's routes.
api_urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("export/popolo.json", PopoloExportView.as_view(), name="popolo"),
    path("", include("places.api.urls")),
    path("", include("governance.api.urls")),
    path("", include("metrics.api.urls")),
    path("", include("assurance.api.urls")),
]
# GET /api/v1/: every endpoint above that takes no argument, with its URL.
api_urlpatterns.insert(
    0, path("", APIRootView.as_view(endpoints=api_endpoints(api_urlpatterns, "api")), name="root")
)

urlpatterns = [
    # Before governance's: the risk register, the commitments and a board's page live under
    # /boards/ too, and a board slug pattern would match them.
    path("", include("assurance.urls")),
    path("boards/", include("governance.urls")),
    path("structure/", include("governance.lineage_urls")),
    path("metrics/", include("metrics.urls")),
    path("about/icons/", SPCIconsView.as_view(), name="about_icons"),
    # Anyone may read the accessibility statement, signed in or not, as public bodies must.
    path(
        "accessibility/",
        login_not_required(views.AccessibilityStatementView.as_view()),
        name="accessibility",
    ),
    path("healthz", login_not_required(views.healthz), name="healthz"),
    path("me/", AccountDetailView.as_view(), name="me"),
    path("api/v1/", include((api_urlpatterns, "api"))),
    # The schema and its documentation describe the API; they hold no data, so anyone may read them.
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="schema", permission_classes=[AllowAny]),
        name="api_docs",
    ),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", permission_classes=[AllowAny]),
        name="api_redoc",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=PortalAuthenticationForm),
        name="login",
    ),
    # Reachable by a signed-in user without a portal role too, so they can sign out.
    path("accounts/logout/", login_not_required(auth_views.LogoutView.as_view()), name="logout"),
    path("admin/", admin.site.urls),
]

# Access refused: the portal's page rather than Django's plain one.
handler403 = "governance.views.permission_denied"
handler404 = "icsportal.views.page_not_found"
# 503 with an error id when the database is down; the plain 500 page otherwise.
handler500 = "icsportal.views.server_error"
