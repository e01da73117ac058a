"""Issuing and revoking API tokens."""

from django.contrib.auth import authenticate
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
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key, "expires": token_expiry(token)})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
