"""The sign-in backend: Django's model backend, reading the user's portal role with the user."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from icsportal.roles import one_with_systems, with_granted_systems


class PortalModelBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` reads the user, their role grant and the systems it
    names in one query.

    Every page asks for the role (``permissions.user_role``); joined here it costs no query of
    its own. The grant is read afresh on every request, never kept in the session, so a revoked
    role stops working at once.
    """

    def get_user(self, user_id):
        # The role every page checks (a user without one gets None), and its systems, which
        # every page of one system or one Place or board checks.
        users = with_granted_systems(get_user_model()._default_manager.filter(pk=user_id))
        user = one_with_systems(users)
        return user if user is not None and self.user_can_authenticate(user) else None
