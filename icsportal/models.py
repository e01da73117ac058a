"""The shared base's tables: API tokens, kept as hashes of their keys."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

# The visible start of a key, kept to help its owner recognise it: not enough to guess the rest.
PREFIX_LENGTH = 8
NAME_MAX_LENGTH = 100


def key_hash(key: str) -> str:
    """The SHA-256 hex digest of ``key``: what is stored and looked up instead of the key.

    A key is 256 random bits (``new_key``), so a fast hash suffices: there is no small space
    of likely keys for a slow password hasher to protect.
    """
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    """A fresh, unguessable API key (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


class ApiTokenQuerySet(models.QuerySet):
    def live(self):
        """Tokens not revoked (some may have expired)."""
        return self.filter(revoked_at__isnull=True)

    def usable(self, now=None):
        """Tokens that still authenticate: neither revoked nor expired."""
        return self.live().filter(expires__gt=now or timezone.now())


class ApiToken(models.Model):
    """One named API key of a user; only its hash and a short prefix are stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=NAME_MAX_LENGTH, help_text="What the token is for, to recognise it."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=PREFIX_LENGTH, editable=False)
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["user_id", "-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="apitoken_name_unique_while_live",
                violation_error_message="You already have a token with this name.",
            ),
            models.CheckConstraint(
                condition=Q(expires__gt=F("created")),
                name="apitoken_expires_after_created",
                violation_error_message="A token must expire after it is created.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…) of user {self.user_id}"

    @property
    def is_expired(self) -> bool:
        return self.expires <= timezone.now()
