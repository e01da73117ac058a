"""Changes to governance data with rules: role grants."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from .choices import PortalRole
from .models import Board, RoleGrant


@transaction.atomic
def role_grant(*, username: str, role: str, board_slugs: list[str] = ()) -> RoleGrant:
    """Give ``username`` the portal role (creating the user without a usable password if new).

    A board secretary's boards are added to those already granted; other roles hold no boards.
    Admins are made Django staff and superusers so they can use the admin site.
    """
    if role not in PortalRole.values:
        raise ValidationError(
            {"role": f"Unknown role {role!r}; choose one of {', '.join(PortalRole.values)}."}
        )
    if board_slugs and role != PortalRole.BOARD_SECRETARY:
        raise ValidationError({"board": "Only a board secretary is granted boards."})
    boards = list(Board.objects.filter(slug__in=board_slugs))
    missing = sorted(set(board_slugs) - {b.slug for b in boards})
    if missing:
        raise ValidationError({"board": f"No board with slug {', '.join(missing)}."})

    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    is_admin = role == PortalRole.ADMIN
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])

    grant, _ = RoleGrant.objects.get_or_create(user=user, defaults={"role": role})
    if grant.role != role:
        grant.role = role
        grant.save(update_fields=["role"])
        if role != PortalRole.BOARD_SECRETARY:
            grant.boards.clear()
    if boards:
        grant.boards.add(*boards)
    return grant


def user_role(user: AbstractBaseUser) -> str | None:
    """The user's portal role, or None."""
    grant = getattr(user, "portal_role", None) if user.is_authenticated else None
    return grant.role if grant else None
