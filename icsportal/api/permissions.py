"""Who may use the API: every portal role reads; writes are checked by each endpoint."""

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission

from ..roles import PortalRole, user_role


class PortalReadPermission(BasePermission):
    """Signed-in users with a portal role read; anonymous reads only when the setting allows.

    Unsafe methods are refused here unless the view grants them itself (``write_roles``).
    """

    message = "Your account has no portal role; ask an administrator for one."

    def has_permission(self, request, view):
        role = user_role(request.user)
        if request.method in SAFE_METHODS:
            if role is not None:
                return True
            return bool(settings.API_ANONYMOUS_READ) and not request.user.is_authenticated
        if role is None:
            return False
        if role in getattr(view, "write_roles", ()):
            return True
        # Say what is true: the account has a role, only not one that may write here.
        self.message = getattr(view, "write_refusal", "Your role may read this but not change it.")
        return False


class IsAnalyst(BasePermission):
    """Analysts and admins; everyone else is refused."""

    message = "Only analysts and administrators may upload observations."

    def has_permission(self, request, view):
        return user_role(request.user) in (PortalRole.ANALYST, PortalRole.ADMIN)
