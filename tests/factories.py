"""factory_boy factories for the portal's models."""

import datetime as dt

import factory

from governance.models import Board, Membership, Organisation, Person
from metrics.models import Metric, Series, Target
from places.models import Place, System


class SystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = System
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"system-{n}")
    slug = factory.Sequence(lambda n: f"system-{n}")
    name = factory.Sequence(lambda n: f"Test System {n}")


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    key = factory.Sequence(lambda n: f"place-{n}")
    system = factory.SubFactory(SystemFactory)
    slug = factory.Sequence(lambda n: f"place-{n}")
    name = factory.Sequence(lambda n: f"Place {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    key = factory.Sequence(lambda n: f"org-{n}")
    system = factory.SubFactory(SystemFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    abbreviation = factory.Sequence(lambda n: f"ORG{n}")
    kind = "other"


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board

    key = factory.Sequence(lambda n: f"board-{n}")
    system = factory.SubFactory(SystemFactory)
    slug = factory.Sequence(lambda n: f"board-{n}")
    name = factory.Sequence(lambda n: f"Board {n}")
    level = "system"
    status = "established"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    key = factory.Sequence(lambda n: f"person-{n}")
    # The first system (the loaded one in most tests), or a new one.
    system = factory.LazyFunction(lambda: System.objects.order_by("pk").first() or SystemFactory())
    name = factory.Sequence(lambda n: f"Person {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    board = factory.SubFactory(BoardFactory)
    person = factory.SubFactory(PersonFactory)
    role = "member"
    start_date = dt.date(2024, 4, 1)


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Metric

    code = factory.Sequence(lambda n: f"metric-{n}")
    name = factory.Sequence(lambda n: f"Metric {n}")
    short_name = factory.Sequence(lambda n: f"Metric {n}")
    unit = "count"
    polarity = "higher_is_better"
    frequency = "monthly"
    category = "activity"


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    metric = factory.SubFactory(MetricFactory)
    subject_type = "place"
    place = factory.SubFactory(PlaceFactory)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    series = factory.SubFactory(SeriesFactory)
    period_start = dt.date(2024, 4, 1)
    period_end = dt.date(2025, 3, 31)
    period_label = "2024/25"
    value = 10.0
