"""Who may read the portal, who may change a board's membership, who reads its private business."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from icsportal.roles import PortalRole, is_admin, user_role

from .models import Board, Membership

# What a user who may not change a board's membership is told, wherever they try.
ONLY_EDITORS = "Only the board's secretaries and administrators can change its members."

# Cached on the user object for the length of a request, so a page that asks for every row
# costs one query, not one per row.
_EDITABLE_CACHE = "_governance_editable_board_ids"
_PRIVATE_CACHE = "_governance_private_board_ids"


def editable_board_ids(user: AbstractBaseUser | AnonymousUser) -> frozenset[int]:
    """Ids of the boards whose membership the user may change: a secretary's assigned boards,
    every board for an admin (who holds every secretary power), none for anyone else."""
    admin = is_admin(user)
    if not admin and user_role(user) != PortalRole.BOARD_SECRETARY:
        return frozenset()
    cached = getattr(user, _EDITABLE_CACHE, None)
    if cached is None:
        boards = Board.objects.all() if admin else user.portal_role.boards
        cached = frozenset(boards.values_list("pk", flat=True))
        setattr(user, _EDITABLE_CACHE, cached)
    return cached


def can_edit_board(user: AbstractBaseUser | AnonymousUser, board: Board | int) -> bool:
    """Whether the user may change ``board``'s membership (a Board or its id): an admin, or a
    secretary of that board."""
    if is_admin(user):
        return True
    board_id = board if isinstance(board, int) else board.pk
    return board_id in editable_board_ids(user)


def forget_cached_permissions(user: AbstractBaseUser | AnonymousUser) -> None:
    """Drop what ``editable_board_ids`` and ``private_board_ids`` cached on the user."""
    for name in (_EDITABLE_CACHE, _PRIVATE_CACHE):
        if hasattr(user, name):
            delattr(user, name)


def private_board_ids(user: AbstractBaseUser | AnonymousUser) -> frozenset[int] | None:
    """Ids of the boards whose private meetings and papers the user may read, or None for every
    board (an admin): the boards they keep as secretary, and those on which the person linked to
    their account (``Person.user``) holds a seat today."""
    if is_admin(user):
        return None
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, _PRIVATE_CACHE, None)
    if cached is None:
        seated = Membership.objects.active_on(timezone.localdate()).filter(person__user=user)
        cached = editable_board_ids(user) | frozenset(seated.values_list("board_id", flat=True))
        setattr(user, _PRIVATE_CACHE, cached)
    return cached


def can_read_private(user: AbstractBaseUser | AnonymousUser, board: Board | int) -> bool:
    """Whether the user may read ``board``'s private meetings, items and papers."""
    allowed = private_board_ids(user)
    board_id = board if isinstance(board, int) else board.pk
    return allowed is None or board_id in allowed
