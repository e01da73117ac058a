"""Changes to governance data with rules: role grants, people and board membership.

Every membership write goes through these functions, whatever calls them (pages, the API, the
admin): each checks that the actor may change the board, applies the domain rules, records the
actor as the history user and, for a change to an existing membership, refuses a write based on
an out-of-date read (``StaleVersion``).
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify

from icsportal.history import save_with_reason
from icsportal.roles import PortalRole, user_role
from places.models import System

from .choices import EndReason, Role
from .models import Board, Membership, Organisation, Person, RoleGrant
from .permissions import ONLY_EDITORS, can_edit_board, forget_cached_permissions

__all__ = [
    "MembershipConflict",
    "StaleVersion",
    "latest_allowed_start",
    "membership_admin_save",
    "membership_create",
    "membership_end",
    "membership_rules_check",
    "membership_update",
    "person_create",
    "role_grant",
    "user_role",
    "vacancy_fill",
    "vacancy_record",
]

# Fields a membership change may set; the board is not among them (a membership never moves).
MEMBERSHIP_UPDATABLE = frozenset(
    {
        "person",
        "person_not_named",
        "on_behalf_of",
        "role",
        "voting",
        "start_date",
        "end_date",
        "end_reason",
        "label",
        "note",
    }
)


class MembershipConflict(Exception):
    """Base: a membership write refused because the row changed after the writer read it."""


class StaleVersion(MembershipConflict):
    """The writer's ``expected_version`` is not the membership's current version."""

    def __init__(self, *, current: Membership, expected_version: int):
        self.current = current
        self.expected_version = expected_version
        self.current_version = current.version
        super().__init__(
            f"Membership {current.pk} is at version {current.version}, "
            f"not {expected_version}: it was changed by someone else."
        )


@transaction.atomic
def role_grant(
    *,
    username: str,
    role: str,
    board_slugs: list[str] = (),
    system_slugs: list[str] | None = None,
) -> RoleGrant:
    """Give ``username`` the portal role (creating the user without a usable password if new).

    A role holds in systems: those named (added to those already granted), else a board
    secretary's boards' systems, else every system (a portal-wide role). A board secretary's
    boards are added to those already granted, and their systems with them; other roles hold
    no boards. Admins are made Django staff and superusers so they can use the admin site.
    """
    if role not in PortalRole.values:
        raise ValidationError(
            {"role": f"Unknown role {role!r}; choose one of {', '.join(PortalRole.values)}."}
        )
    if board_slugs and role != PortalRole.BOARD_SECRETARY:
        raise ValidationError({"board": "Only a board secretary is granted boards."})
    if system_slugs and role == PortalRole.ADMIN:
        # One admin site and every board's powers: an administrator's role is portal-wide.
        raise ValidationError({"system": "An administrator holds every system; name none."})
    boards = list(Board.objects.filter(slug__in=board_slugs))
    missing = sorted(set(board_slugs) - {b.slug for b in boards})
    if missing:
        raise ValidationError({"board": f"No board with slug {', '.join(missing)}."})
    systems = list(System.objects.filter(slug__in=system_slugs or ()))
    missing = sorted(set(system_slugs or ()) - {s.slug for s in systems})
    if missing:
        raise ValidationError({"system": f"No system with slug {', '.join(missing)}."})

    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    is_admin = role == PortalRole.ADMIN
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])

    grant, made = RoleGrant.objects.get_or_create(user=user, defaults={"role": role})
    if grant.role != role:
        grant.role = role
        grant.save(update_fields=["role"])
        if role != PortalRole.BOARD_SECRETARY:
            grant.boards.clear()
    if boards:
        grant.boards.add(*boards)
    _grant_systems(grant, named=systems if system_slugs else None, boards=boards, made=made)
    forget_cached_permissions(user)
    return grant


def _grant_systems(
    grant: RoleGrant, *, named: list[System] | None, boards: list[Board], made: bool
) -> None:
    """Where the role holds: the systems named, and a secretary's boards' systems; a new
    grant naming neither holds in every system, as an administrator's always does."""
    board_systems = {b.system_id for b in boards}
    if grant.role == PortalRole.ADMIN or (named is None and not board_systems):
        if made or grant.role == PortalRole.ADMIN:
            grant.all_systems = True
            grant.save(update_fields=["all_systems"])
        return
    if grant.all_systems and named is not None:
        grant.all_systems = False
        grant.save(update_fields=["all_systems"])
    grant.systems.add(*[s.pk for s in named or ()], *board_systems)


def person_create(*, actor: AbstractBaseUser | None, name: str, system_id: int) -> Person:
    """Add a person by name to a system, with a key made from the name that no other person
    of the system has."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"person_name": "Enter the person's full name."})
    base = slugify(name)[:70] or "person"
    taken = set(
        Person.objects.filter(system_id=system_id, key__startswith=base).values_list(
            "key", flat=True
        )
    )
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    person = Person(
        key=key, system_id=system_id, name=name, created_by=actor, created_at=timezone.now()
    )
    person.full_clean()
    person._history_user = actor
    person.save()
    return person


def latest_allowed_start(today: dt.date | None = None) -> dt.date:
    """The latest start date accepted: one year from today (28 February for a 29 February)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def membership_rules_check(membership: Membership, *, model_checks: bool = True) -> None:
    """Raise ValidationError, keyed by field, unless the membership keeps every domain rule.

    The rules: it ends on or after it starts; it starts no more than a year from today; it
    represents an organisation of the board's own system; an end reason comes with an end date;
    and, unless ``model_checks`` is False (a ModelForm has run them), the model's own checks:
    one chair at a time, a person once at a time, the database constraints.
    """
    errors: dict[str, str] = {}
    m = membership
    if m.start_date and m.end_date and m.end_date < m.start_date:
        errors["end_date"] = (
            "The end date must be the same as or after the start date "
            f"({date_format(m.start_date, 'j F Y')})."
        )
    limit = latest_allowed_start()
    if m.start_date and m.start_date > limit:
        errors["start_date"] = (
            "The start date must be no more than a year from today "
            f"(on or before {date_format(limit, 'j F Y')})."
        )
    if m.end_reason and not m.end_date:
        errors["end_date"] = "Enter the date the membership ends, or remove the end reason."
    if m.end_reason and m.end_reason not in EndReason.values:
        errors["end_reason"] = "Choose a reason from the list."
    if m.role not in Role.values:
        errors["role"] = "Choose a role from the list."
    if m.on_behalf_of_id and m.board_id and m.on_behalf_of.system_id != m.board.system_id:
        errors["on_behalf_of"] = "Choose an organisation of this board's system."
    if errors:
        raise ValidationError(errors)
    if model_checks:
        m.full_clean()


def _require_editor(actor: AbstractBaseUser, board: Board | int) -> None:
    if not can_edit_board(actor, board):
        raise PermissionDenied(ONLY_EDITORS)


def _resolve_person(
    *,
    actor: AbstractBaseUser,
    board: Board,
    person: Person | None,
    person_name: str,
    required: bool,
) -> Person | None:
    if person is not None and person_name.strip():
        raise ValidationError({"person_name": "Choose a person or type a new name, not both."})
    if person is None and person_name.strip():
        return person_create(actor=actor, name=person_name, system_id=board.system_id)
    if person is None and required:
        raise ValidationError({"person": "Choose a person or type a new name."})
    return person


def _save_new(membership: Membership, *, actor: AbstractBaseUser, reason: str) -> Membership:
    membership.created_by = actor
    membership_rules_check(membership)
    save_with_reason(membership, actor=actor, reason=reason)
    return membership


def _lock_current(membership: Membership | int) -> Membership:
    # FOR UPDATE makes a concurrent writer wait here and then read the new version (PostgreSQL);
    # the compare-and-set in _bump_version is what guarantees it on every database.
    pk = membership if isinstance(membership, int) else membership.pk
    return Membership.objects.select_for_update().select_related("board").get(pk=pk)


def _check_version(current: Membership, expected_version: int) -> None:
    if current.version != expected_version:
        raise StaleVersion(current=current, expected_version=expected_version)


def _bump_version(current: Membership, expected_version: int) -> None:
    bumped = Membership.objects.filter(pk=current.pk, version=expected_version).update(
        version=expected_version + 1
    )
    if not bumped:
        raise StaleVersion(
            current=Membership.objects.get(pk=current.pk), expected_version=expected_version
        )
    current.version = expected_version + 1


def _apply_changes(
    *,
    actor: AbstractBaseUser,
    current: Membership,
    expected_version: int,
    changes: dict,
    reason: str,
) -> Membership:
    """Set ``changes`` on the locked row, check the rules, bump the version and save once."""
    changed = []
    for field, value in changes.items():
        if getattr(current, field) != value:
            setattr(current, field, value)
            changed.append(field)
    if not changed:
        return current
    membership_rules_check(current)
    _bump_version(current, expected_version)
    save_with_reason(
        current, actor=actor, reason=reason, update_fields=[*changed, "version", "modified_at"]
    )
    return current


@transaction.atomic
def membership_create(
    *,
    actor: AbstractBaseUser,
    board: Board,
    person: Person | None = None,
    person_name: str = "",
    on_behalf_of: Organisation | None = None,
    role: str = Role.MEMBER,
    voting: bool = True,
    start_date: dt.date,
    end_date: dt.date | None = None,
    end_reason: str = "",
    label: str = "",
    note: str = "",
) -> Membership:
    """Add a person to ``board`` (an existing Person, or a new one from ``person_name``)."""
    _require_editor(actor, board)
    if start_date is None:
        raise ValidationError({"start_date": "Enter the date the term starts."})
    person = _resolve_person(
        actor=actor, board=board, person=person, person_name=person_name, required=True
    )
    membership = Membership(
        board=board,
        person=person,
        on_behalf_of=on_behalf_of,
        role=role,
        voting=voting,
        start_date=start_date,
        end_date=end_date,
        end_reason=end_reason,
        label=label,
        note=note,
    )
    return _save_new(membership, actor=actor, reason="Member added")


@transaction.atomic
def membership_update(
    *, actor: AbstractBaseUser, membership: Membership | int, expected_version: int, **changes
) -> Membership:
    """Change fields of a membership read at ``expected_version``; the board cannot change.

    ``changes`` may name any of ``MEMBERSHIP_UPDATABLE`` and ``person_name`` (a new person).
    Raises PermissionDenied, StaleVersion or ValidationError and then writes nothing. A call
    that changes nothing writes nothing and keeps the version.
    """
    current = _lock_current(membership)
    _require_editor(actor, current.board_id)
    board_change = changes.pop("board", changes.pop("board_id", None))
    if board_change is not None and getattr(board_change, "pk", board_change) != current.board_id:
        raise ValidationError(
            {"board": "A membership cannot move to another board; end it and add a new one."}
        )
    person_name = changes.pop("person_name", "") or ""
    unknown = sorted(set(changes) - MEMBERSHIP_UPDATABLE)
    if unknown:
        raise ValidationError({field: "This field cannot be changed." for field in unknown})
    _check_version(current, expected_version)
    if person_name.strip():
        changes["person"] = _resolve_person(
            actor=actor,
            board=current.board,
            person=changes.get("person"),
            person_name=person_name,
            required=True,
        )
    if changes.get("person") is not None:
        changes["person_not_named"] = False
    if "end_date" in changes and changes["end_date"] is None:
        changes["end_reason"] = ""
    if "start_date" in changes and changes["start_date"] is None and current.start_date:
        # An unknown start stays allowed ("not stated in the source"); a known one is kept.
        raise ValidationError(
            {
                "start_date": "Enter the start date; only a seat whose start is not known "
                "may leave it empty."
            }
        )
    return _apply_changes(
        actor=actor,
        current=current,
        expected_version=expected_version,
        changes=changes,
        reason="Membership changed",
    )


@transaction.atomic
def membership_end(
    *,
    actor: AbstractBaseUser,
    membership: Membership | int,
    expected_version: int,
    end_date: dt.date,
    end_reason: str,
) -> Membership:
    """End a membership on ``end_date`` for ``end_reason`` (an EndReason value)."""
    errors = {}
    if end_date is None:
        errors["end_date"] = "Enter the date the membership ends."
    if end_reason not in EndReason.values:
        errors["end_reason"] = "Choose why the membership ends."
    current = _lock_current(membership)
    _require_editor(actor, current.board_id)
    if errors:
        raise ValidationError(errors)
    _check_version(current, expected_version)
    return _apply_changes(
        actor=actor,
        current=current,
        expected_version=expected_version,
        changes={"end_date": end_date, "end_reason": end_reason},
        reason="Membership ended",
    )


@transaction.atomic
def vacancy_record(
    *,
    actor: AbstractBaseUser,
    board: Board,
    on_behalf_of: Organisation | None = None,
    role: str = Role.MEMBER,
    voting: bool = True,
    start_date: dt.date,
    end_date: dt.date | None = None,
    label: str = "",
    note: str = "",
) -> Membership:
    """Record a vacant seat on ``board`` from ``start_date``."""
    _require_editor(actor, board)
    if start_date is None:
        raise ValidationError({"start_date": "Enter the date the seat falls vacant."})
    vacancy = Membership(
        board=board,
        person=None,
        person_not_named=False,
        on_behalf_of=on_behalf_of,
        role=role,
        voting=voting,
        start_date=start_date,
        end_date=end_date,
        label=label,
        note=note,
    )
    return _save_new(vacancy, actor=actor, reason="Vacancy recorded")


@transaction.atomic
def vacancy_fill(
    *,
    actor: AbstractBaseUser,
    membership: Membership | int,
    expected_version: int,
    person: Person | None = None,
    person_name: str = "",
    start_date: dt.date,
) -> Membership:
    """Fill a vacant seat from ``start_date``; return the membership that now holds the seat.

    The vacancy ends the day before and a new membership with the seat's organisation, role,
    voting right, label and planned end starts on ``start_date``, so "who sat when" stays true.
    Filled on the day the vacancy began, the vacancy itself takes the person.
    """
    current = _lock_current(membership)
    _require_editor(actor, current.board_id)
    _check_version(current, expected_version)
    if not current.is_vacant:
        raise ValidationError({"person": "This seat is not vacant."})
    if start_date is None:
        raise ValidationError({"start_date": "Enter the date they take the seat."})
    if current.start_date and start_date < current.start_date:
        raise ValidationError(
            {
                "start_date": "The seat fell vacant on "
                f"{date_format(current.start_date, 'j F Y')}; enter that date or a later one."
            }
        )
    if current.end_date and start_date > current.end_date:
        raise ValidationError(
            {
                "start_date": "The vacancy ended on "
                f"{date_format(current.end_date, 'j F Y')}; enter that date or an earlier one."
            }
        )
    person = _resolve_person(
        actor=actor, board=current.board, person=person, person_name=person_name, required=True
    )
    if current.start_date == start_date:
        return _apply_changes(
            actor=actor,
            current=current,
            expected_version=expected_version,
            changes={"person": person, "person_not_named": False},
            reason="Vacancy filled",
        )
    planned_end, planned_reason = current.end_date, current.end_reason
    _apply_changes(
        actor=actor,
        current=current,
        expected_version=expected_version,
        changes={
            "end_date": start_date - dt.timedelta(days=1),
            "end_reason": EndReason.REPLACED,
        },
        reason="Vacancy filled",
    )
    successor = Membership(
        board_id=current.board_id,
        person=person,
        on_behalf_of_id=current.on_behalf_of_id,
        role=current.role,
        voting=current.voting,
        label=current.label,
        start_date=start_date,
        end_date=planned_end,
        end_reason=planned_reason,
    )
    return _save_new(successor, actor=actor, reason="Vacancy filled")


@transaction.atomic
def membership_admin_save(
    *, actor: AbstractBaseUser, membership: Membership, expected_version: int | None
) -> Membership:
    """Save a membership edited in the admin site, under the same rules and version check.

    Only users with the admin site's add/change permission may call it; the board of an
    existing membership cannot change.
    """
    if membership.pk is None:
        if not actor.has_perm("governance.add_membership"):
            raise PermissionDenied(
                "Your account lacks the admin site's permission to add memberships."
            )
        return _save_new(membership, actor=actor, reason="Added in the admin site")
    if not actor.has_perm("governance.change_membership"):
        raise PermissionDenied(
            "Your account lacks the admin site's permission to change memberships."
        )
    current = _lock_current(membership)
    if membership.board_id != current.board_id:
        raise ValidationError(
            {"board": "A membership cannot move to another board; end it and add a new one."}
        )
    expected = current.version if expected_version is None else expected_version
    _check_version(current, expected)
    fields = [
        f.attname
        for f in Membership._meta.concrete_fields
        if f.editable and not f.primary_key and f.attname != "board_id"
    ]
    changes = {f: getattr(membership, f) for f in fields}
    if changes.get("person_id") is not None:
        changes["person_not_named"] = False
    saved = _apply_changes(
        actor=actor,
        current=current,
        expected_version=expected,
        changes=changes,
        reason="Changed in the admin site",
    )
    membership.version = saved.version
    return saved
