"""Issuing and revoking API tokens."""

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from ..roles import user_role
from .authentication import ExpiringTokenAuthentication, token_expiry
from .throttling import SignInRateThrottle

TOKEN = inline_serializer(
    "Token", fields={"token": serializers.CharField(), "expires": serializers.DateTimeField()}
)


def token_issue(*, user) -> Token:
    """A new token for ``user``, replacing any they had (the old one stops working)."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def token_revoke(*, user) -> None:
    """Revoke ``user``'s token, if they have one."""
    Token.objects.filter(user=user).delete()


def token_details(user) -> dict | None:
    """What the account page shows of the user's token (never its key), or None."""
    token = Token.objects.select_related("use").filter(user=user).first()
    if token is None:
        return None
    use = getattr(token, "use", None)
    expires = token_expiry(token)
    return {
        "created": token.created,
        "last_used": use.last_used_at if use else None,
        "expires": expires,
        "expired": expires <= timezone.now(),
    }


class Credentials(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenView(APIView):
    """POST username and password for a token; DELETE revokes the token you sent."""

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
        user = authenticate(request._request, **credentials.validated_data)
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
        token, _ = Token.objects.get_or_create(user=user)
        if token_expiry(token) <= timezone.now():
            token = token_issue(user=user)
        return Response({"token": token.key, "expires": token_expiry(token)})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
