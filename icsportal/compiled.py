"""A queryset's SQL compiled once per process and run again with other values.

Building and compiling a queryset costs Python time on every request (cloning the query,
resolving each lookup's joins, writing the SQL): for a small query on a hot path, more than the
database takes to answer it. ``CompiledQuery`` asks the ORM for the SQL once, with a marker in
place of each value, and afterwards only substitutes the values. The SQL is the ORM's own, so it
follows the models (tables, columns, quoting) as any queryset does.

Only for querysets whose SQL does not depend on the values: every value must reach the SQL
parameters unchanged (exact lookups, not ``contains`` or ``iexact``). Compiling checks this and
refuses a queryset where a marker went missing or was rewritten.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet


class _Slot:
    """Where the value called ``name`` goes among the parameters."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


def _marker(name: str) -> str:
    # NUL cannot occur in a value of a text column in PostgreSQL, so no real value equals it.
    return f"\x00compiled:{name}\x00"


class CompiledQuery:
    """``build(**markers)`` returns the queryset; ``rows(**values)`` runs its SQL with values.

    For example ``CompiledQuery(lambda code: Metric.objects.filter(code=code)
    .values_list("pk"), "code").rows(code=...)`` gives the list of that metric's key tuples.
    """

    def __init__(self, build: Callable[..., QuerySet], *names: str):
        self.build = build
        self.names = names
        self._compiled: dict[tuple[str, str], tuple[str, list[Any]]] = {}

    def compile(self, using: str = DEFAULT_DB_ALIAS) -> tuple[str, list[Any]]:
        """The SQL and its parameters, a ``_Slot`` where a value goes (cached per database)."""
        connection = connections[using]
        key = (using, connection.vendor)
        if key not in self._compiled:
            markers = {name: _marker(name) for name in self.names}
            queryset = self.build(**markers)
            sql, params = queryset.query.get_compiler(using=using).as_sql()
            by_marker = {marker: name for name, marker in markers.items()}
            slots: list[Any] = []
            for param in params:
                if isinstance(param, str) and param in by_marker:
                    slots.append(_Slot(by_marker[param]))
                elif isinstance(param, str) and "\x00compiled:" in param:
                    raise ValueError(f"a value was rewritten in the SQL: {param!r}")
                else:
                    slots.append(param)
            missing = set(self.names) - {s.name for s in slots if isinstance(s, _Slot)}
            if missing:
                raise ValueError(f"no SQL parameter takes {', '.join(sorted(missing))}")
            self._compiled[key] = (sql, slots)
        return self._compiled[key]

    def rows(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[tuple]:
        """Every row of the query with these values, as tuples."""
        sql, slots = self.compile(using)
        params = [values[s.name] if isinstance(s, _Slot) else s for s in slots]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
