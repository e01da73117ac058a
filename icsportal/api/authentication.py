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
        try:
            # The user's portal role comes in the same query: the permission check reads it
            # on every request (``user_role``), and a missing grant is cached as none.
            token = model.objects.select_related("user__portal_role").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token_expiry(token) <= timezone.now():
            raise exceptions.AuthenticationFailed("Token has expired; request a new one.")
        return token.user, token
