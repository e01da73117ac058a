"""SQL reused per shape of query is the SQL the ORM writes, for every value; a query whose
SQL can depend on its values is always compiled."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Q
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icsportal import reused_sql
from icsportal.reused_sql import ReusedSQLQuery, reuse_sql
from metrics.api.serializers import ObservationSerializer
from metrics.models import Metric, Observation
from tests.factories import MetricFactory, SeriesFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_shapes():
    reused_sql.clear()
    yield
    reused_sql.clear()


ROWS = Observation.objects.select_related("series__metric").values(
    *ObservationSerializer.row_values
)


def compiled(queryset):
    return queryset.query.get_compiler(connection=connection).as_sql()


def orm_sql(queryset):
    """The SQL the ORM itself writes for ``queryset``."""
    plain = queryset.all()
    plain.query.__class__ = Query
    return compiled(plain)


def reused(queryset):
    copy = queryset.all()
    assert type(copy.query) is ReusedSQLQuery
    return compiled(copy)


def reused_as_the_orm_writes(queryset):
    """The reused SQL and parameters of ``queryset``, checked equal to the ORM's own."""
    sql, params = reused(queryset)
    assert (sql, params) == orm_sql(queryset)
    return sql, params


def page(rows, series, code=None, order=("series_id", "period_start", "id"), start=0, size=100):
    queryset = rows.filter(series_id=series)
    if code is not None:
        queryset = queryset.filter(series__metric__code=code)
    return queryset.order_by(*order)[start : start + size + 1]


def test_a_shape_seen_before_gives_the_orms_sql_with_the_new_values():
    rows = reuse_sql(ROWS)
    first = page(rows, 7, "a", start=0)
    reused_as_the_orm_writes(first)
    for series, code, start in ((8, "bcf-dtoc", 100), (9, "'; --", 1200)):
        later = page(rows, series, code, start=start)
        sql, params = reused_as_the_orm_writes(later)
        assert params == (series, code)
        assert sql.endswith(f"LIMIT 101 OFFSET {start}" if start else "LIMIT 101")


def test_the_orm_writes_each_shape_once():
    rows = reuse_sql(ROWS)
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as spy:
        for series in range(1, 6):
            reused(page(rows, series, f"code-{series}", start=series * 100))
        assert spy.call_count == 1
        # Another shape: no metric condition.
        reused(page(rows, 3))
        assert spy.call_count == 2


def test_rows_are_the_orms_rows():
    series = [SeriesFactory(), SeriesFactory()]
    for i, s in enumerate(series):
        for month in range(1, 7):
            Observation.objects.create(
                series=s,
                period_start=dt.date(2024, month, 1),
                period_end=dt.date(2024, month, 28),
                value=month * (i + 1),
                provenance="upload",
            )
    rows = reuse_sql(ROWS)
    plain = ROWS.all()
    for s in series:
        for code in (s.metric.code, series[0].metric.code, "none"):
            for start in (0, 2, 5):
                got = list(page(rows, s.pk, code, start=start, size=2))
                assert got == list(page(plain, s.pk, code, start=start, size=2))
    assert len(list(page(rows, series[1].pk, series[1].metric.code, start=2))) == 4


def test_a_boolean_value_is_never_reused():
    # The ORM writes `WHERE "is_synthetic"` for True and `NOT "is_synthetic"` for False.
    MetricFactory(code="real", is_synthetic=False)
    MetricFactory(code="made-up", is_synthetic=True)
    metrics = reuse_sql(Metric.objects.values("code"))
    for _ in range(2):
        for flag, code in ((True, "made-up"), (False, "real")):
            queryset = metrics.filter(is_synthetic=flag)
            reused_as_the_orm_writes(queryset)
            codes = {r["code"] for r in queryset}
            assert code in codes
            assert ({"real", "made-up"} - {code}).isdisjoint(codes)


def test_none_and_lists_and_expressions_are_compiled_every_time():
    rows = reuse_sql(ROWS)
    for queryset in (
        rows.filter(batch_id=None),
        rows.filter(series_id__in=[1, 2]),
        rows.filter(note__icontains="x"),
        rows.filter(period_start__year=2024),
        rows.filter(Q(series_id=1) | Q(note="a")).annotate(),
        rows.filter(series__metric__code="a").extra(where=["1 = 1"]),
    ):
        assert reused_sql.query_shape(queryset.query) is None or reused(queryset) == orm_sql(
            queryset
        )
    assert reused_sql.query_shape(rows.filter(batch_id=None).query) is None
    assert reused_sql.query_shape(rows.filter(series_id__in=[1, 2]).query) is None
    assert reused_sql.query_shape(rows.filter(period_start__year=2024).query) is None


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's integer columns have ranges"
)
def test_an_integer_of_another_size_gets_its_own_sql():
    # The ORM drops a comparison with an integer beyond the column's range.
    metrics = reuse_sql(Metric.objects.values("code"))
    small, huge = metrics.filter(decimal_places__lt=5), metrics.filter(decimal_places__lt=2**40)
    reused_as_the_orm_writes(small)
    reused_as_the_orm_writes(huge)
    assert reused(small)[0] != reused(huge)[0]


def test_a_value_the_orm_rewrites_is_remembered_as_not_reusable():
    # Some backends write a date as text: the value then does not reach the SQL unchanged.
    rows = reuse_sql(ROWS)
    as_text = mock.patch.object(
        connection.ops, "adapt_datefield_value", lambda value: value and value.isoformat()
    )
    with as_text:
        first = rows.filter(period_start__gte=dt.date(2020, 1, 1))
        reused_as_the_orm_writes(first)
        assert list(reused_sql._entries.values()) == [reused_sql._NOT_REUSABLE]
        second = rows.filter(period_start__gte=dt.date(2021, 6, 1))
        sql, params = reused_as_the_orm_writes(second)
        assert params == ("2021-06-01",)


def test_a_join_made_inner_by_a_filter_is_another_shape():
    rows = reuse_sql(ROWS)
    outer = rows.filter(series_id=1)
    inner = rows.filter(series__place__slug="north")
    reused_as_the_orm_writes(outer)
    sql, params = reused_as_the_orm_writes(inner)
    assert params == ("north",)


def test_the_same_conditions_over_other_joins_are_another_shape():
    rows = reuse_sql(ROWS)
    outer = rows.filter(series_id=1)
    inner = rows.filter(series_id=1)
    alias = next(a for a, j in inner.query.alias_map.items() if j.table_name == "places_place")
    inner.query.alias_map[alias] = inner.query.alias_map[alias].demote()
    reused_as_the_orm_writes(outer)
    sql, params = reused_as_the_orm_writes(inner)
    assert 'INNER JOIN "places_place"' in sql


def test_the_same_conditions_negated_are_another_shape():
    rows = reuse_sql(ROWS)
    negated = rows.filter(~Q(series_id=1, value__gt=2.0))
    plain = rows.filter(~Q(series_id=2, value__gt=3.0))
    plain.query.where.children[0].negated = False
    reused_as_the_orm_writes(negated)
    sql, params = reused_as_the_orm_writes(plain)
    assert "NOT" not in sql


def test_aggregates_subqueries_and_model_rows_are_left_to_the_orm():
    rows = reuse_sql(ROWS)
    assert rows.filter(series_id=1).count() == 0
    assert not rows.filter(series_id=1).exists()
    objects = reuse_sql(Observation.objects.filter(series_id=1))
    assert reused_sql.query_shape(objects.query) is None
    assert list(objects) == []
    inner = reuse_sql(Metric.objects.values("pk")).filter(code="x")
    assert list(Metric.objects.filter(pk__in=inner)) == []


def test_explain_is_not_taken_for_the_query_it_explains():
    rows = reuse_sql(ROWS).filter(series_id=1)
    assert rows.explain().strip()
    reused_as_the_orm_writes(rows)
    assert list(rows) == []
    # And the other way round: the plan is still a plan once the query's shape is known.
    assert rows.explain().strip()


def test_the_number_of_shapes_is_bounded(monkeypatch):
    monkeypatch.setattr(reused_sql, "MAX_SHAPES", 3)
    rows = reuse_sql(ROWS)
    orders = [("id",), ("-id",), ("period_start",), ("-period_start",), ("value",)]
    for order in orders:
        reused(rows.filter(series_id=1).order_by(*order))
    assert len(reused_sql._entries) == 3
    last = rows.filter(series_id=2).order_by("value")
    reused_as_the_orm_writes(last)


LOOKUPS = {
    "series_id": st.integers(min_value=-(2**40), max_value=2**40),
    "series__metric__code": st.text(max_size=8).filter(lambda s: "\x00" not in s),
    "period_start__gte": st.dates(),
    "period_start__lt": st.dates(),
    "value__gt": st.floats(allow_nan=False, allow_infinity=False),
    "modified_at__lte": st.datetimes(timezones=st.just(dt.UTC)),
    "batch_id__gt": st.integers(min_value=-(2**70), max_value=2**70),
}
ORDERS = [("series_id", "period_start", "id"), ("-id",), ("value", "id"), ()]


def shapes():
    """A list of filters with two sets of values each, an order and two slices."""
    names = st.lists(st.sampled_from(sorted(LOOKUPS)), min_size=0, max_size=4, unique=True)
    return names.flatmap(
        lambda chosen: st.tuples(
            st.just(chosen),
            st.fixed_dictionaries({n: LOOKUPS[n] for n in chosen}),
            st.fixed_dictionaries({n: LOOKUPS[n] for n in chosen}),
            st.sampled_from(ORDERS),
            st.tuples(st.booleans(), st.booleans()),
            st.tuples(st.integers(0, 500), st.integers(1, 100)),
            st.tuples(st.integers(0, 500), st.integers(1, 100)),
        )
    )


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(shapes())
def test_any_shape_reused_with_other_values_is_the_orms_sql(example):
    reused_sql.clear()
    chosen, first, second, order, negate, slice_a, slice_b = example
    rows = reuse_sql(ROWS)

    def build(values, negated, window):
        condition = Q(**values) if values else Q()
        queryset = rows.filter(~condition if negated and values else condition)
        start, size = window
        return queryset.order_by(*order)[start : start + size]

    a, b = build(first, negate[0], slice_a), build(second, negate[1], slice_b)
    reused_as_the_orm_writes(a)
    reused_as_the_orm_writes(b)
