"""Token authentication whose tokens expire after ``API_TOKEN_DAYS``."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_expiry(token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.API_TOKEN_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; refused once the token is older than its lifetime."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        # The token, its user and the user's portal role in one query: the permission check
        # reads the role (``icsportal.roles.user_role``) on every request.
        try:
            token = model.objects.select_related("user__portal_role").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        return self._checked(token)

    @staticmethod
    def _checked(token):
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token_expiry(token) <= timezone.now():
            raise exceptions.AuthenticationFailed("Token has expired; request a new one.")
        return user, token
