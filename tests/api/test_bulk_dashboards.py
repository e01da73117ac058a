"""Bulk upload through the API, and the dashboard and series endpoints it feeds."""

import io

import pytest
from django.core.management import call_command

from metrics.models import ImportBatch, Observation
from metrics.snapshots import snapshot_build
from places.models import Place, System

pytestmark = pytest.mark.django_db

GOOD = [
    {
        "metric": "wf-sickness",
        "subject_type": "organisation",
        "subject": "UHCW",
        "period": "2019-08-31",
        "value": 4.5,
    },
    {
        "metric": "wf-sickness",
        "subject_type": "organisation",
        "subject": "GEH",
        "period": "2019-08-31",
        "value": 4.1,
    },
]


def counts():
    return Observation.objects.count(), ImportBatch.objects.count()


def test_analyst_uploads_json_rows(analyst):
    response = analyst.post("/api/v1/observations/bulk/", GOOD, format="json")
    assert response.status_code == 201, response.content
    assert response.json() | {"batch": 0} == {
        "batch": 0,
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }
    again = analyst.post("/api/v1/observations/bulk/", GOOD, format="json").json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_analyst_uploads_a_csv_file(analyst):
    text = "metric,subject_type,subject,period,value\nwf-vacancy,organisation,SWFT,2019-08-31,5.5\n"
    upload = io.BytesIO(text.encode())
    upload.name = "vacancy.csv"
    response = analyst.post("/api/v1/observations/bulk/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 1


def test_bad_rows_are_400_with_row_and_column_and_nothing_is_written(analyst):
    before = counts()
    bad = [
        *GOOD,
        {
            "metric": "wf-sickness",
            "subject_type": "organisation",
            "subject": "CWPT",
            "period": "2019-08-31",
            "value": "lots",
        },
    ]
    response = analyst.post("/api/v1/observations/bulk/", bad, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["row"] == 4 and errors[0]["column"] == "value"
    assert counts() == before


def test_empty_request_is_400(analyst):
    response = analyst.post("/api/v1/observations/bulk/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


@pytest.mark.parametrize("role", [None, "commissioner", "secretary_a", "no_role"])
def test_only_analysts_upload(api_as, role):
    before = counts()
    response = api_as(role).post("/api/v1/observations/bulk/", GOOD, format="json")
    assert response.status_code in (401, 403)
    assert counts() == before


def test_dashboard_of_a_place_shows_its_latest_snapshot(analyst):
    system = System.objects.get()
    call_command("generate_synthetic", verbosity=0)
    rugby = Place.objects.get(slug="rugby")
    snap = snapshot_build(system_id=system.pk, place_id=rugby.pk)
    body = analyst.get("/api/v1/dashboards/rugby/").json()
    assert body["snapshot"]["id"] == snap.pk
    assert body["place"] == {"slug": "rugby", "name": "Rugby"}
    [row] = body["series"]
    assert row["series"]["metric"] == "syn-place-nea-monthly"
    assert row["synthetic"] is True and row["provenance"] == "synthetic"
    assert row["point_count"] == 48
    assert {
        "latest_value",
        "target_value",
        "rag",
        "variation",
        "assurance",
        "mean",
        "lower",
        "upper",
        "provisional",
    } <= set(row)


def test_dashboard_of_the_system(analyst):
    system = System.objects.get()
    assert analyst.get("/api/v1/dashboards/system/").status_code == 404  # nothing published yet
    snapshot_build(system_id=system.pk)
    body = analyst.get("/api/v1/dashboards/system/").json()
    reablement = next(r for r in body["series"] if r["series"]["metric"] == "bcf-reablement")
    assert reablement["rag"] == "green" and reablement["provenance"] == "documented"
    assert reablement["synthetic"] is False


def test_upload_then_the_dashboard_changes_after_the_recompute(
    analyst, django_capture_on_commit_callbacks
):
    system = System.objects.get()
    snapshot_build(system_id=system.pk)
    # Tasks run in-process here, on commit, as a worker would run them.
    with django_capture_on_commit_callbacks(execute=True):
        analyst.post("/api/v1/observations/bulk/", GOOD, format="json")
    body = analyst.get("/api/v1/dashboards/system/").json()
    sickness = [r for r in body["series"] if r["series"]["metric"] == "wf-sickness"]
    latest = {r["series"]["subject"]: r["latest_value"] for r in sickness}
    assert latest["UHCW"] == 4.5 and latest["GEH"] == 4.1


def test_series_points_carry_spc(analyst):
    system = System.objects.get()
    call_command("generate_synthetic", verbosity=0)
    snapshot_build(system_id=system.pk)
    body = analyst.get(
        "/api/v1/series/",
        {"metric": "syn-dtoc-monthly", "subject_type": "organisation", "subject": "WCC"},
    ).json()
    assert len(body["points"]) == 48
    point = body["points"][0]
    assert {"period_start", "value", "mean", "lower", "upper", "point_type", "segment"} <= set(
        point
    )
    assert point["lower"] < point["mean"] < point["upper"]
    assert {p["point_type"] for p in body["points"]} <= {
        "common_cause",
        "special_cause_improvement",
        "special_cause_concern",
    }
    assert body["variation"] and body["target"] == 44.4


@pytest.mark.parametrize(
    "params",
    [{"metric": "bcf-dtoc", "subject_type": "planet", "subject": "WCC"}],
)
def test_series_needs_valid_parameters(analyst, params):
    assert analyst.get("/api/v1/series/", params).status_code == 400


def test_unknown_series_is_404(analyst):
    response = analyst.get(
        "/api/v1/series/", {"metric": "bcf-dtoc", "subject_type": "place", "subject": "rugby"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("field", ["metric", "subject"])
def test_series_refuses_a_null_character_with_400(analyst, field):
    # Found by schemathesis at 100 examples: PostgreSQL refuses NUL in text (it was a 500).
    params = {"metric": "bcf-dtoc", "subject_type": "place", "subject": "rugby"}
    params[field] = params[field] + "\x00"
    response = analyst.get("/api/v1/series/", params)
    assert response.status_code == 400
    assert response.json() == {field: "Null characters are not allowed."}
