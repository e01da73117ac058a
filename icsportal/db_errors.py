"""Telling a database that cannot be reached from a transaction that lost a race.

Django raises ``OperationalError`` for both; the driver's error beneath it (``__cause__``)
carries PostgreSQL's SQLSTATE as ``pgcode``. A connection that fails has no SQLSTATE, or one of
class 08 (connection exception) or 57P01–57P03 (the server is shutting down or starting).
"""

from django.db import InterfaceError, OperationalError

# deadlock_detected, serialization_failure: the transaction may simply be run again.
WRITE_CONFLICT_CODES = frozenset({"40P01", "40001"})
_SERVER_GOING_AWAY = frozenset({"57P01", "57P02", "57P03"})


def sqlstate(exc: BaseException) -> str | None:
    """PostgreSQL's SQLSTATE for a database error, or None (no server answer, other backends)."""
    return getattr(exc.__cause__, "pgcode", None) or getattr(exc, "pgcode", None)


def is_write_conflict(exc: BaseException) -> bool:
    """A deadlock or serialization failure: another transaction won; retrying may succeed."""
    return isinstance(exc, OperationalError) and sqlstate(exc) in WRITE_CONFLICT_CODES


def is_database_down(exc: BaseException) -> bool:
    """The database cannot be reached (or is going away): not a refused statement."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    code = sqlstate(exc)
    return code is None or code.startswith("08") or code in _SERVER_GOING_AWAY
