"""The icon summary table: a board's, a Place's and the system's series from the latest
snapshots, sortable, filterable and as CSV."""

import csv
import io

import pytest

from metrics.models import Metric
from tests.places.dashboard_data import build_dashboards

pytestmark = pytest.mark.django_db


@pytest.fixture
def system(db):
    return build_dashboards()


def test_a_place_system_and_board_each_have_their_rows(system, commissioner_client):
    place = system.places.order_by("name").first()
    html = commissioner_client.get(f"/metrics/summary/?place={place.slug}").content.decode()
    assert "Metrics at a glance" in html
    assert 'class="spc-icon"' in html
    assert "synthetic (illustrative)" in html
    system_page = commissioner_client.get("/metrics/summary/").content.decode()
    assert system.name in system_page
    metric = Metric.objects.filter(
        owner_board__isnull=False, series__summaries__isnull=False
    ).first()
    board = metric.owner_board
    rows = list(
        csv.reader(
            io.StringIO(
                commissioner_client.get(
                    f"/metrics/summary/?board={board.slug}&format=csv"
                ).content.decode()
            )
        )
    )
    assert rows[0][:3] == ["metric", "subject", "subject_type"]
    codes = {r[0] for r in rows[1:]}
    assert metric.code in codes
    assert codes <= set(board.metrics.values_list("code", flat=True))


def test_sorting_and_filtering(system, commissioner_client):
    place = system.places.order_by("name").first()

    def rows(query):
        response = commissioner_client.get(
            f"/metrics/summary/?place={place.slug}&{query}&format=csv"
        )
        return list(csv.reader(io.StringIO(response.content.decode())))[1:]

    everything = rows("")
    concern = rows("variation=concern")
    assert concern and len(concern) < len(everything)
    assert all(r[7].startswith("concern") for r in concern)
    by_variation = rows("sort=variation")
    assert by_variation[0][7].startswith("concern")
    assert {r[8] for r in rows("assurance=none")} == {""}
    assert commissioner_client.get("/metrics/summary/?place=atlantis").status_code == 404
