"""A list's page SQL, written by the ORM once per shape of query and reused with new values.

A list's page query is built the same way on every request: the same columns, the same joins,
the same kinds of conditions and order, only the values differ. Compiling it (two dozen columns
over seven tables) costs the ORM more Python time than the rest of the list's query work.
``reuse_sql(queryset)`` returns the queryset with a query class whose compiler keys each query
by its *shape*: the model, the columns, every join, the structure of the WHERE clause with the
class and column of each condition, the ordering, the distinct flags and whether there is a
LIMIT or an OFFSET. Queries of one shape differ only in their condition values and LIMIT/OFFSET
numbers, so the SQL written for the first is reused for the others with their own values.

It only takes queries whose SQL cannot depend on their values, and refuses anything else (which
the ORM then compiles as usual):

- ``values()`` rows with no annotations, extra SQL, grouping, combinators, subqueries,
  ``select_related``, ``select_for_update``, ``explain()`` or filtered relations;
- conditions that are comparisons (``exact``, ``gt``, ``gte``, ``lt``, ``lte``, and their
  related-field forms) of one column with a plain value: ``int`` (with its sign and size in the
  key, because the ORM drops a comparison with an integer beyond a column's range), ``float``,
  ``str``, ``date`` or ``datetime`` (``bool``, ``None``, lists and expressions are refused);
- and, the first time a shape is seen, only if the ORM's own parameters are exactly the
  condition values in the order the key lists them. A shape that fails this is remembered as
  not reusable and always compiled.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Any, NamedTuple

from django.db.models import QuerySet
from django.db.models.expressions import Col
from django.db.models.fields.related_lookups import (
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedLessThan,
    RelatedLessThanOrEqual,
)
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IntegerFieldExact,
    IntegerGreaterThan,
    IntegerGreaterThanOrEqual,
    IntegerLessThan,
    IntegerLessThanOrEqual,
    LessThan,
    LessThanOrEqual,
)
from django.db.models.sql import Query
from django.db.models.sql.datastructures import BaseTable, Join
from django.db.models.sql.where import WhereNode

COMPARISONS = frozenset(
    {
        Exact,
        GreaterThan,
        GreaterThanOrEqual,
        LessThan,
        LessThanOrEqual,
        IntegerFieldExact,
        IntegerGreaterThan,
        IntegerGreaterThanOrEqual,
        IntegerLessThan,
        IntegerLessThanOrEqual,
        RelatedExact,
        RelatedGreaterThan,
        RelatedGreaterThanOrEqual,
        RelatedLessThan,
        RelatedLessThanOrEqual,
    }
)
VALUE_TYPES = frozenset({int, float, str, dt.date, dt.datetime})
# Shapes kept per process; the oldest is dropped first.
MAX_SHAPES = 512


class _NotReusable(Exception):
    """The query has a part whose SQL might depend on its values."""


def _int_class(value: int) -> tuple[bool, int]:
    """Sign and size: within one class, every integer column's range check gives one answer."""
    size = abs(value)
    for bits, limit in enumerate((2**15, 2**31, 2**63)):
        if size < limit:
            return value < 0, bits
    return value < 0, 3


def _where_shape(node, values: list) -> tuple:
    if isinstance(node, WhereNode):
        return (
            node.connector,
            node.negated,
            tuple(_where_shape(child, values) for child in node.children),
        )
    if type(node) not in COMPARISONS:
        raise _NotReusable
    lhs, rhs = node.lhs, node.rhs
    if type(lhs) is not Col or type(rhs) not in VALUE_TYPES:
        raise _NotReusable
    values.append(rhs)
    value_class = _int_class(rhs) if type(rhs) is int else None
    # A column is a table alias and a model field, which lives as long as the process.
    return (type(node), lhs.alias, id(lhs.target), id(lhs.output_field), type(rhs), value_class)


def _join_shape(alias: str, table, refcount: int) -> tuple:
    if type(table) is BaseTable:
        return (alias, refcount > 0, table.table_name, table.table_alias)
    if type(table) is not Join or table.filtered_relation is not None:
        raise _NotReusable
    return (
        alias,
        refcount > 0,
        table.table_name,
        table.parent_alias,
        table.table_alias,
        table.join_type,
        id(table.join_field),
        table.nullable,
    )


def query_shape(query: Query) -> tuple[tuple, list] | None:
    """The shape of a rows query and its condition values, or None if it is not reusable."""
    if (
        query.subquery
        or query.explain_info
        or query.combinator
        or query.annotations
        or query.extra
        or query.extra_tables
        or query.extra_order_by
        or query.group_by is not None
        or query.select_related
        or query.select_for_update
        or query.default_cols
        or not query.values_select
        or query.distinct_fields
        or not all(isinstance(name, str) for name in query.order_by)
    ):
        return None
    values: list = []
    try:
        joins = tuple(
            _join_shape(alias, table, query.alias_refcount[alias])
            for alias, table in query.alias_map.items()
        )
        where = _where_shape(query.where, values)
    except _NotReusable:
        return None
    shape = (
        query.model,
        # The column expressions are shared by every copy of one values() query; the entry
        # keeps them alive, so no other tuple can take their id while the entry exists.
        id(query.select),
        query.values_select,
        joins,
        where,
        query.order_by,
        query.default_ordering,
        query.standard_ordering,
        query.distinct,
        query.low_mark > 0,
        query.high_mark is not None,
    )
    return shape, values


class _Entry(NamedTuple):
    sql: str  # without its LIMIT/OFFSET
    select: tuple  # held only so that its id stays this shape's while the entry lives
    state: dict  # the compiler attributes of _STATE


_NOT_REUSABLE = object()
_entries: OrderedDict[tuple, Any] = OrderedDict()
_lock = threading.Lock()
# Compiler attributes that as_sql() sets and running the query reads afterwards.
_STATE = ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")


def _remember(key: tuple, entry) -> None:
    with _lock:
        _entries[key] = entry
        _entries.move_to_end(key)
        while len(_entries) > MAX_SHAPES:
            _entries.popitem(last=False)


def _lookup(key: tuple):
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
        return entry


def clear() -> None:
    """Forget every shape (tests)."""
    with _lock:
        _entries.clear()


_compiler_classes: dict[type, type] = {}


def _reusing(base: type) -> type:
    """The backend's SELECT compiler, with as_sql() reusing the SQL of a known shape."""
    cls = _compiler_classes.get(base)
    if cls is not None:
        return cls

    class ReusingCompiler(base):
        def as_sql(self, with_limits=True, with_col_aliases=False):
            if not with_limits or with_col_aliases:
                return super().as_sql(with_limits, with_col_aliases)
            found = query_shape(self.query)
            if found is None:
                return super().as_sql(with_limits, with_col_aliases)
            shape, values = found
            connection = self.connection
            key = (connection.alias, connection.vendor, self.elide_empty, shape)
            entry = _lookup(key)
            if entry is _NOT_REUSABLE:
                return super().as_sql(with_limits, with_col_aliases)
            query = self.query
            limits = connection.ops.limit_offset_sql(query.low_mark, query.high_mark)
            if entry is not None:
                for name, value in entry.state.items():
                    setattr(self, name, value)
                return (f"{entry.sql} {limits}" if limits else entry.sql), tuple(values)
            sql, params = super().as_sql(with_limits, with_col_aliases)
            same = len(params) == len(values) and all(
                type(p) is type(v) and p == v for p, v in zip(params, values, strict=True)
            )
            if not same or (limits and not sql.endswith(f" {limits}")):
                _remember(key, _NOT_REUSABLE)
                return sql, params
            head = sql[: -len(limits) - 1] if limits else sql
            state = {name: getattr(self, name) for name in _STATE}
            _remember(key, _Entry(head, query.select, state))
            return sql, params

    ReusingCompiler.__name__ = ReusingCompiler.__qualname__ = f"Reusing{base.__name__}"
    _compiler_classes[base] = ReusingCompiler
    return ReusingCompiler


class ReusedSQLQuery(Query):
    """A query whose SELECT compiler reuses the SQL of its shape (module docstring)."""

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = super().get_compiler(using, connection, elide_empty)
        if self.compiler != "SQLCompiler":
            return compiler
        compiler.__class__ = _reusing(type(compiler))
        return compiler


def reuse_sql(queryset: QuerySet) -> QuerySet:
    """A copy of ``queryset`` whose SQL is written once per shape (module docstring)."""
    queryset = queryset.all()
    query = queryset.query
    if type(query) is Query:
        query.__class__ = ReusedSQLQuery
    return queryset
