"""Issuing and revoking API tokens: several per user, each named, each revoked on its own."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import NAME_MAX_LENGTH, PREFIX_LENGTH, ApiToken, key_hash, new_key
from ..roles import user_role
from .authentication import ExpiringTokenAuthentication
from .throttling import SignInRateThrottle

# Usable tokens a user may hold at once: enough for a script each, few enough to review.
MAX_USABLE_TOKENS = 10

TOKEN = inline_serializer(
    "Token",
    fields={
        "token": serializers.CharField(help_text="The key: shown this once, never again."),
        "name": serializers.CharField(),
        "prefix": serializers.CharField(help_text="The key's first characters, to recognise it."),
        "expires": serializers.DateTimeField(),
    },
)


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued and its key, which exists only here: the database keeps its hash."""

    token: ApiToken
    key: str


def default_token_name(held, now: dt.datetime) -> str:
    """“API token” and the time, numbered if one of the user's ``held`` tokens has that name."""
    base = f"API token {timezone.localtime(now):%Y-%m-%d %H:%M:%S}"
    taken = set(held.live().filter(name__startswith=base).values_list("name", flat=True))
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base} ({number})"
    return name


@transaction.atomic
def token_issue(*, user, name: str | None = None) -> IssuedToken:
    """A new token for ``user`` named ``name`` (or after the time); their others keep working.

    Raises ValidationError when they already hold ``MAX_USABLE_TOKENS`` usable tokens or a live
    token of that name.
    """
    # Issues for the same user one at a time, so that two cannot both pass the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    now = timezone.now()
    held = ApiToken.objects.filter(user=user)
    name = name or default_token_name(held, now)
    if held.usable(now).count() >= MAX_USABLE_TOKENS:
        raise ValidationError(
            f"You already hold {MAX_USABLE_TOKENS} tokens, the most allowed: revoke one first."
        )
    if held.live().filter(name=name).exists():
        raise ValidationError({"name": f"You already have a token named “{name}”: choose another."})
    key = new_key()
    token = ApiToken(
        user=user,
        name=name,
        key_hash=key_hash(key),
        prefix=key[:PREFIX_LENGTH],
        created=now,
        expires=now + dt.timedelta(days=settings.API_TOKEN_DAYS),
    )
    token.full_clean()
    token.save()
    return IssuedToken(token=token, key=key)


def token_revoke(*, token: ApiToken) -> None:
    """Stop ``token`` working; it is kept, marked with when it was revoked."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def token_revoke_own(*, user, token_id: int) -> ApiToken:
    """Revoke ``user``'s live token ``token_id``; 404 for anyone else's or one already revoked."""
    token = get_object_or_404(ApiToken.objects.live(), pk=token_id, user=user)
    token_revoke(token=token)
    return token


def tokens_of(user) -> list[ApiToken]:
    """``user``'s live tokens, newest first, expired ones included (never a key)."""
    return list(ApiToken.objects.live().filter(user=user).order_by("-created", "-id"))


class Credentials(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        max_length=NAME_MAX_LENGTH,
        required=False,
        help_text="What the token is for; by default “API token” and the date and time.",
    )


class TokenView(APIView):
    """POST username and password for a new token; DELETE revokes the token you sent."""

    authentication_classes = []
    # One object, not rows: JSON only (errors included).
    renderer_classes = [JSONRenderer]
    permission_classes = [AllowAny]
    # Per client address, shared with the sign-in pages (SIGN_IN_RATE).
    throttle_classes = [SignInRateThrottle]

    def get_authenticators(self):
        if getattr(self, "request", None) is not None and self.request.method == "DELETE":
            return [ExpiringTokenAuthentication()]
        return super().get_authenticators()

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(request=Credentials, responses={200: TOKEN})
    def post(self, request):
        credentials = Credentials(data=request.data)
        credentials.is_valid(raise_exception=True)
        data = credentials.validated_data
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            return Response(
                {"detail": "Unable to sign in with these credentials."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if user_role(user) is None:
            # A token would open nothing: every endpoint needs a portal role.
            return Response(
                {"detail": "Your account has no portal role; ask an administrator for one."},
                status=status.HTTP_403_FORBIDDEN,
            )
        issued = token_issue(user=user, name=data.get("name"))
        return Response(
            {
                "token": issued.key,
                "name": issued.token.name,
                "prefix": issued.token.prefix,
                "expires": issued.token.expires,
            }
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
