import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from metrics.models import Series
from tests.factories import MetricFactory, PlaceFactory, SeriesFactory, TargetFactory

pytestmark = pytest.mark.django_db


def test_target_period_ending_before_it_starts_is_refused():
    target = TargetFactory.build(
        series=SeriesFactory(), period_start=dt.date(2025, 4, 1), period_end=dt.date(2025, 3, 31)
    )
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        target.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        target.save()


def test_series_needs_exactly_one_subject_of_its_type():
    metric, place = MetricFactory(), PlaceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Series.objects.create(metric=metric, subject_type="organisation", place=place)
    with pytest.raises(IntegrityError), transaction.atomic():
        Series.objects.create(metric=metric, subject_type="place")
    Series.objects.create(metric=metric, subject_type="place", place=place)
    with pytest.raises(IntegrityError), transaction.atomic():
        Series.objects.create(metric=metric, subject_type="place", place=place)
