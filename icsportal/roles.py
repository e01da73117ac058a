"""Portal roles and the checks every layer may make on them.

The role itself is stored by ``governance.RoleGrant`` (a secretary's grant names boards, so it
lives beside them); this module reads it through the user's ``portal_role`` relation, so the
shared base and every app can ask "who is this?" without importing an app.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, Q


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


# Where ``with_granted_systems`` puts the id of one system a user's grant names, and where
# the ids are kept on the user for the rest of the request.
_GRANTED_SYSTEM = "portal_granted_system_id"
_SYSTEM_IDS = "_portal_system_ids"


def with_granted_systems(queryset: models.QuerySet, user_path: str = "") -> models.QuerySet:
    """``queryset`` of users (or of rows whose user is at ``user_path``, such as "user__")
    reading each user's role grant and the ids of the systems it names in the same query: one
    row for each system named, one for a grant naming none. Read with ``one_with_systems``."""
    return queryset.select_related(f"{user_path}portal_role").annotate(
        **{_GRANTED_SYSTEM: F(f"{user_path}portal_role__systems__id")}
    )


def one_with_systems(queryset: models.QuerySet, user_of=lambda row: row):
    """The row that ``with_granted_systems`` rows stand for, or None; its user (``user_of``
    the row) keeps the systems its grant names, so ``visible_system_ids`` reads no more."""
    rows = list(queryset)
    if not rows:
        return None
    user = user_of(rows[0])
    grant = getattr(user, "portal_role", None)
    if grant is not None and not grant.all_systems:
        named = (getattr(row, _GRANTED_SYSTEM) for row in rows)
        setattr(user, _SYSTEM_IDS, frozenset(i for i in named if i is not None))
    return rows[0]


def visible_system_ids(user: AbstractBaseUser | AnonymousUser) -> frozenset[int] | None:
    """The ids of the systems the user may see, or None for every system (a superuser, or a
    grant for every system). A role is granted per system: a board secretary of one system sees
    another only if granted it too. Read once per request (cached on the user object), or with
    the user by ``one_with_systems`` (no query of its own)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return None
    cached = getattr(user, _SYSTEM_IDS, False)
    if cached is not False:
        return cached
    grant = getattr(user, "portal_role", None)
    if grant is None:
        ids = frozenset()
    elif grant.all_systems:
        ids = None
    else:
        ids = frozenset(grant.systems.values_list("pk", flat=True))
    setattr(user, _SYSTEM_IDS, ids)
    return ids


def can_see_system(user: AbstractBaseUser | AnonymousUser, system_id: int | None) -> bool:
    """Whether the user may see the rows of the system ``system_id``."""
    ids = visible_system_ids(user)
    return ids is None or system_id in ids


# The relations through which a row belongs to a system, tried in this order (a Place's
# priorities through ``system``, a board's seats through ``board``…).
_OWNER_FIELDS = ("system", "board", "place", "person", "meeting", "item", "risk", "change")


def system_path(model, depth: int = 4) -> str | None:
    """The lookup from ``model`` to the id of the system its rows belong to ("system_id",
    "board__system_id"…), or None for rows of no one system (national metrics, series)."""
    if model._meta.label_lower == "places.system":
        return "pk"
    for name in _OWNER_FIELDS:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not field.many_to_one or field.null:
            continue
        if name == "system":
            return "system_id"
        inner = system_path(field.related_model, depth - 1) if depth > 1 else None
        if inner and inner != "pk":
            return f"{name}__{inner}"
    return None


# A series' subject is a system, a Place or an organisation (one of three nullable keys).
_SUBJECT_PATHS = ("system_id", "place__system_id", "organisation__system_id")


def _subject_prefix(model) -> str | None:
    """ "" for a model whose rows have a subject (a series), "series__" for one whose rows
    belong to a series (observations, targets, annotations), else None."""
    names = {f.name for f in model._meta.get_fields() if f.many_to_one}
    if {"system", "place", "organisation"} <= names:
        return ""
    if "series" in names:
        return (
            "series__"
            if _subject_prefix(model._meta.get_field("series").related_model) == ""
            else None
        )
    return None


def visible_rows(user: AbstractBaseUser | AnonymousUser, queryset: models.QuerySet):
    """``queryset`` without the rows of systems the user may not see.

    A model whose rows may belong to several systems names the lookups to them in
    ``system_lookups`` (a national metric belongs to every system that uses it): a row is
    there when any of them holds a system the user may see."""
    ids = visible_system_ids(user)
    if ids is None:
        return queryset
    lookups = getattr(queryset.model, "system_lookups", ())
    if lookups:
        # One semi-join by primary key for each lookup: a many-valued relation joined into
        # the query would repeat rows, and one OR across several joins defeats the indexes.
        rows = queryset.model._default_manager
        condition = Q()
        for lookup in lookups:
            condition |= Q(pk__in=rows.filter(**{f"{lookup}__in": ids}).values("pk"))
        return queryset.filter(condition)
    path = system_path(queryset.model)
    if path:
        return queryset.filter(**{f"{path}__in": ids})
    prefix = _subject_prefix(queryset.model)
    if prefix is not None:
        condition = Q()
        for subject in _SUBJECT_PATHS:
            condition |= Q(**{f"{prefix}{subject}__in": ids})
        return queryset.filter(condition)
    return queryset
