"""Portal roles and the checks every layer may make on them.

The role itself is stored by ``governance.RoleGrant`` (a secretary's grant names boards, so it
lives beside them); this module reads it through the user's ``portal_role`` relation, so the
shared base and every app can ask "who is this?" without importing an app.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models


class PortalRole(models.TextChoices):
    COMMISSIONER = "commissioner", "Commissioner"
    BOARD_SECRETARY = "board_secretary", "Board secretary"
    ANALYST = "analyst", "Analyst"
    ADMIN = "admin", "Administrator"


def user_role(user: AbstractBaseUser | AnonymousUser) -> str | None:
    """The user's portal role, or None (anonymous, inactive or never granted one)."""
    if not user.is_authenticated or not user.is_active:
        return None
    grant = getattr(user, "portal_role", None)
    return grant.role if grant else None


def can_read(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the user may read the portal's pages: any active user with a role, or a superuser."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user_role(user) is not None


def is_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the user administers the portal: an active superuser or the admin role."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user_role(user) == PortalRole.ADMIN


def can_upload(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the user may upload observations: an analyst or an administrator."""
    return user_role(user) in (PortalRole.ANALYST, PortalRole.ADMIN) or is_admin(user)
