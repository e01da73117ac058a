"""The dashboards in the API are the dashboards on the pages: the same series, grouped the same
way; the system's is reachable by its slug, and every dashboard is listed."""

import re

import pytest

from assurance.selectors import place_metrics, place_snapshot_ids, with_snapshot_ids
from metrics.selectors import system_rows
from places.models import Place
from tests.places.dashboard_data import build_dashboards

pytestmark = pytest.mark.django_db


@pytest.fixture
def system():
    return build_dashboards()


def test_a_place_dashboard_has_every_series_its_page_shows(analyst, system):
    rugby = with_snapshot_ids(Place.objects.all()).get(slug="rugby")
    page = place_metrics(place=rugby, snapshot_ids=place_snapshot_ids(rugby))
    body = analyst.get("/api/v1/dashboards/rugby/").json()
    shown = [row["series_id"] for tile in page["tiles"] for row in tile["rows"]]
    assert len(shown) > 1
    assert [row["series"]["id"] for row in body["series"]] == shown
    # The organisations that serve Rugby are on its page, and so in its dashboard.
    assert "organisation" in {row["series"]["subject_type"] for row in body["series"]}
    assert body["group_by"] == "category"
    assert [(g["name"], g["series"]) for g in body["groups"]] == [
        (tile["category"], [row["series_id"] for row in tile["rows"]]) for tile in page["tiles"]
    ]
    assert len(body["snapshots"]) == 2  # the Place's and its system's


def test_the_page_counts_the_same_series(analyst, system, client):
    from tests.places.dashboard_data import sign_in_commissioner

    sign_in_commissioner(client)
    # The Place's page and the pages of tiles it links to (long categories are paged).
    pages, seen = ["/places/rugby/"], set()
    html = ""
    while pages:
        url = pages.pop()
        if url in seen:
            continue
        seen.add(url)
        page = client.get(url).content.decode()
        html += page
        pages += [
            u.replace("&amp;", "&")
            for u in re.findall(r'href="(/places/rugby/metrics/[^"#]*)', page)
        ]
    body = analyst.get("/api/v1/dashboards/rugby/").json()
    for row in body["series"]:
        assert f"series-{row['series']['id']}" in html


def test_the_system_dashboard_by_its_slug_is_the_overview(analyst, system):
    body = analyst.get(f"/api/v1/dashboards/{system.slug}/")
    assert body.status_code == 200, body.content
    body = body.json()
    assert body["place"] is None and body["system"]["slug"] == system.slug
    rows = system_rows(system_id=system.pk)
    listed = [row["series"]["id"] for row in body["series"]]
    assert sorted(listed) == sorted(r["series_id"] for r in rows)
    assert body["group_by"] == "metric"
    assert listed == [i for group in body["groups"] for i in group["series"]]
    assert {g["name"] for g in body["groups"]} == {r["metric_code"] for r in rows}
    assert analyst.get("/api/v1/dashboards/system/").json()["series"] == body["series"]


def test_every_dashboard_is_listed(analyst, system):
    body = analyst.get("/api/v1/dashboards/")
    assert body.status_code == 200
    listed = {(d["kind"], d["slug"]) for d in body.json()}
    assert ("system", system.slug) in listed
    assert {("place", p.slug) for p in system.places.all()} <= listed
    for entry in body.json():
        assert analyst.get(entry["url"]).status_code == 200, entry
