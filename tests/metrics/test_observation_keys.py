"""An observation's series and source document are checked by the database, once per
statement: no observation can point to a series or a document that does not exist, and
neither can be deleted while observations point to it."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from metrics.models import Observation, Series
from places.models import Document
from tests.factories import MetricFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def series():
    from places.models import Place

    metric = MetricFactory(code="test-keys-monthly", frequency="monthly")
    return Series.objects.create(
        metric=metric, subject_type="place", place=Place.objects.get(slug="rugby")
    )


def observation(series_id: int, month: int = 1, **extra) -> Observation:
    return Observation(
        series_id=series_id,
        period_start=dt.date(2020, month, 1),
        period_end=dt.date(2020, month, 28),
        value=1.0,
        provenance="upload",
        **extra,
    )


def missing_id(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def test_an_observation_of_a_missing_series_is_refused(series):
    with pytest.raises(IntegrityError), transaction.atomic():
        observation(missing_id(Series)).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Observation.objects.bulk_create(
            [
                observation(series.pk),
                observation(missing_id(Series), month=2),
            ]
        )
    assert not Observation.objects.filter(series=series).exists()
    observation(series.pk).save()
    assert Observation.objects.filter(series=series).count() == 1


def test_an_observation_of_a_missing_document_is_refused(series):
    with pytest.raises(IntegrityError), transaction.atomic():
        observation(series.pk, source_document_id=missing_id(Document)).save()
    document = Document.objects.first()
    observation(series.pk, source_document_id=document.pk).save()
    saved = Observation.objects.get(series=series)
    with pytest.raises(IntegrityError), transaction.atomic():
        Observation.objects.filter(pk=saved.pk).update(source_document_id=missing_id(Document))
    with pytest.raises(IntegrityError), transaction.atomic():
        Observation.objects.filter(pk=saved.pk).update(series_id=missing_id(Series))
    saved.refresh_from_db()
    assert (saved.series_id, saved.source_document_id) == (series.pk, document.pk)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite leaves deletes to Django's on_delete"
)
def test_a_series_or_document_that_observations_point_to_cannot_be_deleted_behind_django(
    series,
):
    document = Document.objects.first()
    observation(series.pk, source_document_id=document.pk).save()
    with connection.cursor() as cursor:
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute("DELETE FROM metrics_series WHERE id = %s", [series.pk])
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute("DELETE FROM places_document WHERE id = %s", [document.pk])
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute(
                "UPDATE metrics_series SET id = %s WHERE id = %s", [missing_id(Series), series.pk]
            )
    assert Series.objects.filter(pk=series.pk).exists()
    assert Document.objects.filter(pk=document.pk).exists()


def test_django_still_cascades_from_a_series_to_its_observations(series):
    observation(series.pk).save()
    series.delete()
    assert not Observation.objects.filter(series_id=series.pk).exists()
