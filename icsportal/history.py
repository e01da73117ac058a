"""Saving and deleting with the record django-simple-history keeps: who made the change, and why.

simple-history reads the instance attributes ``_history_user`` and ``_change_reason`` when it
writes the history row (its documented way to pass them without a request).
"""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Model
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
    get_history_manager_for_model,
)


def reason_required(reason: str | None) -> str:
    """The reason with its whitespace collapsed; ValidationError on ``reason`` when it is empty."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Enter the reason for this change."})
    return reason


def _record(obj: Model, *, actor: AbstractBaseUser | None, reason: str) -> None:
    # Cut to what the model's history table holds: 100 characters by default, the whole reason
    # where the model keeps it in a text field.
    field = type(obj).history.model._meta.get_field("history_change_reason")
    obj._history_user = actor
    obj._change_reason = reason[: field.max_length] if field.max_length else reason


def save_with_reason(
    obj: Model,
    *,
    actor: AbstractBaseUser | None,
    reason: str,
    update_fields: list[str] | None = None,
) -> None:
    """Save ``obj`` (all fields, or ``update_fields``) with ``actor`` and ``reason`` in its
    history row; the caller has checked it (``full_clean()``)."""
    _record(obj, actor=actor, reason=reason)
    if update_fields is None:
        obj.save()
    else:
        obj.save(update_fields=update_fields)


def delete_with_reason(obj: Model, *, actor: AbstractBaseUser | None, reason: str) -> None:
    """Delete ``obj``, its history keeping who deleted it and why."""
    _record(obj, actor=actor, reason=reason)
    obj.delete()


def _keeps_history(model: type[Model]) -> bool:
    try:
        get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return False
    return True


def create_all(model: type[Model], objs: Sequence[Model]) -> list[Model]:
    """Insert ``objs`` (checked by the caller) in one statement per batch, with one history row
    each where the model keeps history, as ``save()`` would write it; the objects get their
    primary keys."""
    if not objs:
        return []
    if _keeps_history(model):
        return bulk_create_with_history(list(objs), model)
    return model.objects.bulk_create(objs)


def update_all(model: type[Model], objs: Sequence[Model], fields: list[str]) -> None:
    """Write ``fields`` of ``objs`` (checked by the caller) in one statement per batch, with
    one history row each where the model keeps history."""
    if not objs:
        return
    if _keeps_history(model):
        bulk_update_with_history(list(objs), model, fields)
    else:
        model.objects.bulk_update(objs, fields)
