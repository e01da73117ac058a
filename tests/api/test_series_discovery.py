"""Series can be found without knowing them first, and read as CSV; "none" is null."""

import csv
import io

import pytest
from django.core.management import call_command

from metrics.models import Series
from metrics.snapshots import snapshot_build
from places.models import System

pytestmark = pytest.mark.django_db


def test_without_metric_and_subject_the_series_are_listed(analyst):
    response = analyst.get("/api/v1/series/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == Series.objects.count() > 0
    row = body["results"][0]
    assert {"id", "metric", "subject_type", "subject", "subject_name", "synthetic"} <= set(row)
    # Each row says where its points are.
    points = analyst.get(row["points"])
    assert points.status_code == 200
    assert points.json()["series"]["id"] == row["id"]


def test_the_series_list_filters(analyst):
    call_command("generate_synthetic", verbosity=0)
    system = System.objects.get()

    def listed(**params):
        response = analyst.get("/api/v1/series/", {**params, "page_size": 500})
        assert response.status_code == 200, response.content
        return response.json()["results"]

    sickness = listed(metric="wf-sickness")
    assert sickness and {r["metric"] for r in sickness} == {"wf-sickness"}
    wcc = listed(subject="WCC")
    assert wcc and {r["subject"] for r in wcc} == {"WCC"}
    assert {r["subject_type"] for r in listed(subject_type="place")} == {"place"}
    assert len(listed(system=system.slug)) == Series.objects.count()
    synthetic = listed(synthetic="true")
    assert synthetic and all(r["synthetic"] for r in synthetic)
    assert not any(r["synthetic"] for r in listed(synthetic="false"))
    assert analyst.get("/api/v1/series/", {"system": "atlantis"}).status_code == 400


def test_the_series_list_and_one_series_as_csv(analyst):
    call_command("generate_synthetic", verbosity=0)
    snapshot_build(system_id=System.objects.get().pk)
    listed = analyst.get("/api/v1/series/", {"metric": "wf-sickness", "format": "csv"})
    assert listed.status_code == 200
    assert listed["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(listed.streaming_content).decode())))
    assert rows and {r["metric"] for r in rows} == {"wf-sickness"}
    one = analyst.get(
        "/api/v1/series/",
        {"metric": "syn-dtoc-monthly", "subject": "WCC", "format": "csv"},
    )
    assert one.status_code == 200, one.content
    assert one["Content-Type"].startswith("text/csv")
    points = list(csv.DictReader(io.StringIO(one.content.decode())))
    assert len(points) == 48
    assert {"period_start", "value", "mean", "lower", "upper", "point_type"} <= set(points[0])
    assert points[0]["subject"] == "WCC"


def test_none_is_null_in_dashboards_and_series_alike(analyst):
    system = System.objects.get()
    call_command("generate_synthetic", verbosity=0)
    snapshot_build(system_id=system.pk)
    rows = analyst.get("/api/v1/dashboards/system/").json()["series"]
    for field in ("assurance", "variation", "target_period_label"):
        values = {r[field] for r in rows}
        assert "" not in values, field
    # A series without a target has no assurance: null in both places.
    untargeted = next(r for r in rows if r["target_value"] is None and r["point_count"])
    assert untargeted["assurance"] is None
    named = untargeted["series"]
    points = analyst.get(
        "/api/v1/series/",
        {
            "metric": named["metric"],
            "subject": named["subject"],
            "subject_type": named["subject_type"],
        },
    ).json()
    assert points["assurance"] is None


def test_the_schema_says_none_is_null(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    summary = schema["components"]["schemas"]["Summary"]["properties"]
    for field in ("assurance", "variation", "target_period_label"):
        assert summary[field].get("nullable") is True, field
