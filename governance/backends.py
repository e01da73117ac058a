"""The sign-in backend: Django's model backend, reading the user's portal role with the user."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PortalModelBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` reads the user and their role grant in one query.

    Every page asks for the role (``permissions.user_role``); joined here it costs no query of
    its own. The grant is read afresh on every request, never kept in the session, so a revoked
    role stops working at once.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            # portal_role: the role every page checks (a user without one gets None)
            user = user_model._default_manager.select_related("portal_role").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
