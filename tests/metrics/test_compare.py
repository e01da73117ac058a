"""Comparing subjects: the funnel plot through the selector, the API and the page."""

import datetime as dt

import pytest

from metrics.models import Observation
from tests.api.conftest import token_client
from tests.factories import MetricFactory, PlaceFactory, SeriesFactory, SystemFactory

pytestmark = pytest.mark.django_db

JAN = dt.date(2024, 1, 1)


def build_comparison(code="test-funnel", *, synthetic=True):
    """A proportion metric for 8 Places in two systems, one far above the others."""
    metric = MetricFactory(
        code=code,
        short_name="Readmissions",
        data_kind="proportion",
        chart="p",
        multiplier=100,
        unit="%",
        is_synthetic=synthetic,
    )
    systems = [SystemFactory(), SystemFactory()]
    counts = [(50, 1000), (60, 1200), (45, 900), (52, 1100), (30, 600), (48, 950), (55, 1050)]
    counts.append((200, 1000))  # the outlier
    for k, (num, den) in enumerate(counts):
        series = SeriesFactory(metric=metric, place=PlaceFactory(system=systems[k % 2]))
        Observation.objects.create(
            series=series,
            period_start=JAN,
            period_end=dt.date(2024, 1, 31),
            value=num / den * 100,
            numerator=num,
            denominator=den,
            provenance="synthetic" if synthetic else "upload",
        )
    return metric


def test_api_compares_every_place_across_systems_and_flags_the_outlier():
    build_comparison()
    client = token_client("api-cmp", "commissioner")
    body = client.get("/api/v1/compare/?metric=test-funnel&period=2024-01&subject_type=place")
    assert body.status_code == 200
    data = body.json()
    assert data["synthetic"] is True
    assert len(data["units"]) == 8
    assert len({u["system"] for u in data["units"]}) == 2
    flagged = [u for u in data["units"] if u["flag99"] != "within"]
    assert [(u["numerator"], u["flag99"]) for u in flagged] == [(200.0, "above")]
    assert data["tau2"] > 0  # over-dispersion from the outlier widens the limits
    assert all(u["synthetic"] for u in data["units"])
    # The latest period with data by default.
    assert client.get("/api/v1/compare/?metric=test-funnel").json()["period"] == "2024-01-01"


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("", "metric"),
        ("metric=nope", "metric"),
        ("metric=test-funnel&period=2024-13", "period"),
        ("metric=test-funnel&period=2023-01", "period"),
        ("metric=test-funnel&subject_type=planet", "subject_type"),
        ("metric=test-continuous", "metric"),
    ],
)
def test_api_400_names_the_parameter(query, key):
    build_comparison()
    MetricFactory(code="test-continuous")
    response = token_client("api-cmp", "commissioner").get(f"/api/v1/compare/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [key]


def test_the_page_draws_the_funnel_and_its_table(page_client_as):
    build_comparison()
    client = page_client_as("commissioner")
    html = client.get("/metrics/test-funnel/compare/?period=2024-01").content.decode()
    assert 'class="spc-chart funnel-chart"' in html
    assert html.count('class="funnel-point ') == 8
    assert html.count("funnel-point--above") == 1
    assert "synthetic (illustrative)" in html
    assert "1 lie beyond the 99.8% limits" in html
    assert client.get("/metrics/test-funnel/compare/?period=1999-01").status_code == 400
    assert client.get("/metrics/nope/compare/").status_code == 404
