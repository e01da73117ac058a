"""The lists build rows from .values() (``row()``): the same JSON as their serializers give."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from governance.api.serializers import MembershipSerializer
from governance.models import Membership
from metrics.api.serializers import ObservationSerializer, SummarySerializer
from metrics.models import ImportBatch, Observation, SeriesSummary
from metrics.snapshots import snapshot_build
from places.models import Document, Place, System
from tests.factories import (
    BoardFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    SeriesFactory,
)

pytestmark = pytest.mark.django_db

# A summer time: the serializers write local (British Summer) time, "+01:00", not "Z".
SUMMER = dt.datetime(2025, 7, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)


def as_json(data):
    return json.loads(json.dumps(data))


@pytest.fixture
def document():
    return Document.objects.create(
        system=System.objects.order_by("pk").first(),
        key="doc-rows",
        title="A document",
        short_title="Doc",
        file_name="rows.txt",
    )


def test_membership_rows_match_the_serializer(document):
    board = BoardFactory()
    org = OrganisationFactory(abbreviation="")
    made = [
        MembershipFactory(board=board, on_behalf_of=org, source_document=document, source_line=7),
        MembershipFactory(board=board, person=None, person_not_named=True, end_reason=""),
        MembershipFactory(
            board=board,
            person=None,
            start_date=None,
            end_date=dt.date(2025, 3, 31),
            end_reason="term_ended",
            source_document=document,
        ),
        MembershipFactory(board=board, person=PersonFactory(), label="Chair's nominee", note="n"),
    ]
    Membership.objects.filter(pk=made[0].pk).update(modified_at=SUMMER)
    queryset = Membership.objects.filter(pk__in=[m.pk for m in made])
    objects = {m.pk: m for m in queryset.select_related("board", "person", "on_behalf_of")}
    rows = queryset.values(*MembershipSerializer.row_values)
    assert len(rows) == 4
    for values in rows:
        expected = as_json(MembershipSerializer(objects[values["id"]]).data)
        assert MembershipSerializer.row(values) == expected
    assert {MembershipSerializer.row(v)["holder"] for v in rows} >= {
        "not named in the source",
        "vacant",
    }
    summer = next(MembershipSerializer.row(v) for v in rows if v["id"] == made[0].pk)
    assert summer["modified_at"] == "2025-07-01T10:30:15.123456+01:00"
    assert summer["source"]["citation"] == "Doc, line 7"


def test_membership_list_is_the_serializers_representation(analyst):
    body = analyst.get("/api/v1/memberships/", {"page_size": 500}).json()
    objects = {m.pk: m for m in Membership.objects.all()}
    assert len(body["results"]) == min(500, len(objects)) > 0
    for row in body["results"]:
        assert row == as_json(MembershipSerializer(objects[row["id"]]).data)


def test_observation_rows_match_the_serializer(document, admin_user):
    system = System.objects.first()
    batch = ImportBatch.objects.create(uploaded_by=admin_user, file_name="x.csv")
    subjects = [
        SeriesFactory(subject_type="system", system=system, place=None),
        SeriesFactory(place=Place.objects.first()),
        SeriesFactory(subject_type="organisation", organisation=OrganisationFactory(), place=None),
        SeriesFactory(
            subject_type="organisation",
            organisation=OrganisationFactory(abbreviation=""),
            place=None,
        ),
    ]
    for i, series in enumerate(subjects):
        Observation.objects.create(
            series=series,
            period_start=dt.date(2024, 4, 1),
            period_end=dt.date(2024, 4, 30),
            value=1.5 + i,
            provenance=["upload", "synthetic", "documented", "upload"][i],
            batch=batch if i == 0 else None,
            source_document=document if i < 2 else None,
            source_line=12 if i == 0 else None,
            as_written="=1+1" if i == 3 else "",
        )
    Observation.objects.filter(series=subjects[0]).update(modified_at=SUMMER)
    queryset = Observation.objects.filter(series__in=subjects)
    objects = {
        o.pk: o
        for o in queryset.select_related(
            "series__metric", "series__place", "series__system", "series__organisation"
        )
    }
    rows = queryset.values(*ObservationSerializer.row_values)
    assert len(rows) == 4
    for values in rows:
        expected = as_json(ObservationSerializer(objects[values["id"]]).data)
        assert ObservationSerializer.row(values) == expected
    kinds = {ObservationSerializer.row(v)["series"]["subject_type"] for v in rows}
    assert kinds == {"system", "place", "organisation"}


@pytest.mark.parametrize("scope", ["system", "place"])
def test_dashboard_rows_match_the_serializer(analyst, scope):
    call_command("generate_synthetic", verbosity=0)
    system = System.objects.get()
    place = Place.objects.filter(series__isnull=False).order_by("slug").first()
    snapshot = snapshot_build(system_id=system.pk, place_id=place.pk if scope == "place" else None)
    summaries = SeriesSummary.objects.filter(snapshot=snapshot).select_related(
        "series__metric", "series__place", "series__system", "series__organisation"
    )
    expected = {s.series_id: as_json(SummarySerializer(s).data) for s in summaries}
    url = "/api/v1/dashboards/system/" if scope == "system" else f"/api/v1/dashboards/{place.slug}/"
    body = analyst.get(url).json()
    assert len(body["series"]) == len(expected) > 0
    for row in body["series"]:
        assert row == expected[row["series"]["id"]]
    published = timezone.localtime(snapshot.published_at, dt.UTC).isoformat()
    assert body["snapshot"]["published_at"] == published.replace("+00:00", "Z")
