"""Token authentication whose tokens expire after ``API_TOKEN_DAYS``."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_expiry(token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.API_TOKEN_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; refused once the token is older than its lifetime."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expiry(token) <= timezone.now():
            raise exceptions.AuthenticationFailed("Token has expired; request a new one.")
        return user, token
