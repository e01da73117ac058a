"""Token authentication by a key's hash; a token stops working once expired or revoked."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from ..models import ApiToken, key_hash
from ..roles import one_with_systems, with_granted_systems

# A token's last use is written at most this often: not a write on every request.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def token_used(token: ApiToken, now: dt.datetime) -> None:
    """Record that ``token`` was used at ``now``, unless it was recorded within the minute."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    # The condition again in the UPDATE: two requests with the same token may both get here.
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION), pk=token.pk
    ).update(last_used_at=now)
    token.last_used_at = now


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; refused once the token has expired or is revoked."""

    model = ApiToken

    def authenticate_credentials(self, key):
        # The token, its user, the user's portal role and the systems it names in one query:
        # the permission check reads the role (``icsportal.roles.user_role``) on every request,
        # and every list the systems (``visible_rows``). A revoked token is as unknown as a
        # made-up one.
        tokens = with_granted_systems(
            ApiToken.objects.live().select_related("user").filter(key_hash=key_hash(key)),
            "user__",
        )
        token = one_with_systems(tokens, user_of=lambda row: row.user)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return self._checked(token)

    @staticmethod
    def _checked(token: ApiToken):
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        now = timezone.now()
        if token.expires <= now:
            raise exceptions.AuthenticationFailed("Token has expired; request a new one.")
        token_used(token, now)
        return user, token
