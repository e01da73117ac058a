"""A queryset compiled once gives what the queryset gives, for any values; it refuses a
queryset whose values do not reach the SQL unchanged."""

import pytest
from django.db.models import Q

from icsportal.compiled import CompiledQuery
from metrics.filtersets import resolve_series_filters
from metrics.models import Metric
from places.models import Place
from tests.factories import (
    MetricFactory,
    OrganisationFactory,
    PlaceFactory,
    SeriesFactory,
    SystemFactory,
)

pytestmark = pytest.mark.django_db


def place_names(slug, system):
    return Place.objects.filter(slug=slug, system__slug=system).order_by("name").values_list("name")


def test_rows_are_the_querysets_rows_for_every_value():
    a, b = SystemFactory(slug="alpha"), SystemFactory(slug="beta")
    PlaceFactory(system=a, slug="north", name="North of alpha")
    PlaceFactory(system=b, slug="north", name="North of beta")
    PlaceFactory(system=b, slug="south", name="South of beta")
    compiled = CompiledQuery(place_names, "slug", "system")
    for slug in ("north", "south", "west"):
        for system in ("alpha", "beta", "gamma"):
            expected = list(place_names(slug, system))
            assert compiled.rows(slug=slug, system=system) == expected
    assert compiled.rows(slug="north", system="beta") == [("North of beta",)]


def test_a_value_used_twice_fills_both_places():
    compiled = CompiledQuery(
        lambda name: Metric.objects.filter(Q(code=name) | Q(short_name=name)).values_list("code"),
        "name",
    )
    MetricFactory(code="by-code", short_name="other")
    MetricFactory(code="other-code", short_name="by-name")
    assert compiled.rows(name="by-code") == [("by-code",)]
    assert compiled.rows(name="by-name") == [("other-code",)]


def test_the_sql_is_compiled_once():
    calls = []

    def build(code):
        calls.append(code)
        return Metric.objects.filter(code=code).values_list("pk")

    compiled = CompiledQuery(build, "code")
    for code in ("a", "b", "c"):
        compiled.rows(code=code)
    assert len(calls) == 1


def test_a_rewritten_value_is_refused():
    compiled = CompiledQuery(lambda code: Metric.objects.filter(code__contains=code), "code")
    with pytest.raises(ValueError, match="rewritten"):
        compiled.rows(code="bcf")


def test_a_value_that_reaches_no_parameter_is_refused():
    def build(code, unused):
        return Metric.objects.filter(code=code)

    compiled = CompiledQuery(build, "code", "unused")
    with pytest.raises(ValueError, match="unused"):
        compiled.rows(code="bcf", unused="x")


@pytest.mark.parametrize("kind", [None, "", "system", "place", "organisation"])
def test_series_filters_resolve_the_metric_the_subject_and_the_one_series(kind):
    system = SystemFactory(slug="resolve-system")
    place = PlaceFactory(system=system, slug="resolve-place")
    organisation = OrganisationFactory(system=system, key="resolve-org-key", abbreviation="ROK")
    metric = MetricFactory(code="resolve-metric")
    series = {
        "system": SeriesFactory(metric=metric, subject_type="system", system=system, place=None),
        "place": SeriesFactory(metric=metric, place=place),
        "organisation": SeriesFactory(
            metric=metric, subject_type="organisation", organisation=organisation, place=None
        ),
    }
    subjects = {
        "system": ["resolve-system"],
        "place": ["resolve-place"],
        "organisation": ["resolve-org-key", "ROK"],
    }
    for subject_kind, names in subjects.items():
        for name in names:
            found = not kind or kind == subject_kind
            expected = (metric.pk, found, series[subject_kind].pk if found else None)
            assert resolve_series_filters("resolve-metric", name, kind) == expected
    assert resolve_series_filters("resolve-metric", "atlantis", kind) == (metric.pk, False, None)
    assert resolve_series_filters("no-such-metric", "resolve-place", kind) == (
        None,
        kind in (None, "", "place"),
        None,
    )
    assert resolve_series_filters("resolve-metric", None, kind) == (metric.pk, False, None)
    # A subject with no series of the metric: found, but no series.
    other = MetricFactory(code="resolve-other")
    assert resolve_series_filters("resolve-other", "resolve-place", kind)[2] is None
    assert other.pk == resolve_series_filters("resolve-other", None, kind)[0]


def test_a_slug_of_two_kinds_names_no_one_series_without_a_subject_type():
    system = SystemFactory(slug="twice")
    place = PlaceFactory(system=system, slug="twice")
    metric = MetricFactory(code="twice-metric")
    SeriesFactory(metric=metric, subject_type="system", system=system, place=None)
    on_place = SeriesFactory(metric=metric, place=place)
    assert resolve_series_filters("twice-metric", "twice", None) == (metric.pk, True, None)
    assert resolve_series_filters("twice-metric", "twice", "place") == (
        metric.pk,
        True,
        on_place.pk,
    )
