"""SPC needs enough points: a series with fewer than spc.MIN_POINTS since its last rebase shows
its values, no variation or assurance (snapshot, API, pages) and how many points it needs."""

import re

import pytest

from metrics import spc
from metrics.models import SeriesSummary
from tests.places.dashboard_data import build_dashboards, sign_in_commissioner

pytestmark = pytest.mark.django_db


@pytest.fixture
def commissioner_client(client):
    return sign_in_commissioner(client)


@pytest.fixture
def dashboards():
    return build_dashboards()


def reablement_wcc() -> SeriesSummary:
    """The Better Care Fund reablement series for Warwickshire County Council: one point."""
    return SeriesSummary.objects.get(
        series__metric__code="bcf-reablement", series__organisation__abbreviation="WCC"
    )


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_rule_is_the_engines_minimum():
    assert spc.MIN_POINTS == 12
    assert not spc.shows_spc(11) and spc.shows_spc(12)
    assert spc.points_needed(1) == 11 and spc.points_needed(30) == 0


def test_a_one_point_series_has_no_variation_assurance_or_limits(dashboards):
    summary = reablement_wcc()
    assert summary.point_count == 1 and summary.target_value is not None
    assert summary.variation == "" and summary.assurance == ""
    assert summary.mean is None and summary.lower is None and summary.upper is None
    assert summary.points["types"] == "-"
    # Every single-value series alike (the workforce rows among them).
    singles = SeriesSummary.objects.filter(point_count__gt=0, point_count__lt=spc.MIN_POINTS)
    assert singles.count() >= 16
    assert set(singles.values_list("variation", "assurance")) == {("", "")}
    # A long series keeps its SPC.
    long = SeriesSummary.objects.filter(point_count__gte=spc.MIN_POINTS)
    assert long.exists() and "" not in set(long.values_list("variation", flat=True))


def test_the_api_gives_null_variation_and_assurance(client, dashboards):
    from governance.services import role_grant

    client.force_login(role_grant(username="too-few-analyst", role="analyst").user)
    response = client.get(
        "/api/v1/series/",
        {"metric": "bcf-reablement", "subject_type": "organisation", "subject": "WCC"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["variation"] is None and body["assurance"] is None
    assert [p["point_type"] for p in body["points"]] == [None]
    assert body["points"][0]["lower"] is None


def test_the_metric_page_says_how_many_points_are_needed_and_draws_no_spc(
    commissioner_client, dashboards
):
    html = commissioner_client.get("/metrics/bcf-reablement/").content.decode()
    section = next(
        s for s in html.split('<section class="spc-series"')[1:] if "Warwickshire County" in s
    )
    text = text_of(section)
    assert "SPC needs at least 12 points" in text and "11 more points needed" in text
    assert "spc-chart" not in section and "spc-icon" not in section
    # No sentence that contradicts itself.
    assert "process limits" not in text and "hit and miss" not in text.lower()
    assert "96.8%" in text  # the value is shown, in words and in the table


def test_place_tiles_show_no_icon_for_a_single_value(commissioner_client, dashboards):
    html = commissioner_client.get("/places/rugby/").content.decode()
    tiles = [t for t in html.split('<li class="nhsuk-grid-column-one-third') if "wf-headcount" in t]
    assert tiles
    for tile in tiles:
        assert "spc-icon" not in tile
        assert "SPC needs at least 12 points" in text_of(tile)
    # The counts say how many series have too few points, not that they are common cause.
    assert "with too few points for SPC" in text_of(html)


def test_the_icons_page_states_the_rule(commissioner_client):
    text = text_of(commissioner_client.get("/about/icons/").content.decode())
    assert "at least 12 points" in text and "NHSRplotthedots" in text and "15" in text
