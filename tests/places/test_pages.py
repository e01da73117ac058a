"""The pages of this issue render the loaded facts with their sources, in constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_overview_lists_the_four_places_with_populations_and_sources(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Coventry", "Rugby", "South Warwickshire", "Warwickshire North"):
        assert name in html
    assert "103,443" in html and "192,278" in html and "circa 270,000" in html
    assert "Source: Place descriptions, line 48" in html
    assert "1,000,000" in html and "Source: Commissioning intentions 2020/21, line 55" in html


def test_overview_query_count_is_constant(client):
    with CaptureQueriesContext(connection) as ctx:
        client.get("/")
    # system, its population fact, places, their headline facts
    assert len(ctx.captured_queries) <= 5, [q["sql"] for q in ctx.captured_queries]


def test_place_page_shows_priorities_and_boards(client):
    response = client.get("/places/warwickshire-north/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Frailty" in html
    assert "Warwickshire North Place Executive" in html
    assert "Source: Place descriptions, line 145" in html


def test_unknown_place_is_404(client):
    assert client.get("/places/atlantis/").status_code == 404


def test_board_pages(client):
    assert "Partnership Executive Group" in client.get("/boards/").content.decode()
    html = client.get("/boards/warwickshire-north-place-executive/").content.decode()
    assert "Not named in the source" in html
    assert "George Eliot Hospital NHS Trust" in html
    assert "Place descriptions, line 169" in html


def test_metric_page_shows_targets_with_sources(client):
    html = client.get("/metrics/bcf-dtoc/").content.decode()
    assert "44.4" in html and "BCF plan 2019/20, line 17" in html


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
