"""Token authentication whose tokens expire after ``API_TOKEN_DAYS``."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from ..models import TokenUse
from ..roles import one_with_systems, with_granted_systems

# A token's last use is written at most this often: not a write on every request.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def token_expiry(token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.API_TOKEN_DAYS)


def token_used(token, now: dt.datetime) -> None:
    """Record that ``token`` was used at ``now``, unless it was recorded within the minute."""
    use = getattr(token, "use", None)
    if use is not None and now - use.last_used_at < LAST_USED_PRECISION:
        return
    # One upsert: two requests with the same token may both get here.
    TokenUse.objects.bulk_create(
        [TokenUse(token_id=token.pk, last_used_at=now)],
        update_conflicts=True,
        unique_fields=["token"],
        update_fields=["last_used_at"],
    )


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; refused once the token is older than its lifetime."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        # The token, its user, the user's portal role and the systems it names in one query:
        # the permission check reads the role (``icsportal.roles.user_role``) on every request,
        # and every list the systems (``visible_rows``).
        # use: when it was last used, recorded at most once a minute
        tokens = with_granted_systems(model.objects.select_related("use").filter(key=key), "user__")
        token = one_with_systems(tokens, user_of=lambda row: row.user)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return self._checked(token)

    @staticmethod
    def _checked(token):
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        now = timezone.now()
        if token_expiry(token) <= now:
            raise exceptions.AuthenticationFailed("Token has expired; request a new one.")
        token_used(token, now)
        return user, token
