"""Issue #19: every svg role=img has a title and a description; ticks name months one way."""

import re

import pytest

from metrics.templatetags.spc_charts import spc_chart, spc_sparkline
from tests.places.dashboard_data import build_dashboards, sign_in_commissioner

pytestmark = pytest.mark.django_db

SVG_IMG = re.compile(r"<svg\b[^>]*\brole=\"img\"[^>]*>.*?</svg>", re.S)


def assert_every_svg_img_is_labelled(html: str) -> int:
    found = SVG_IMG.findall(html)
    for svg in found:
        head = svg[: svg.index(">") + 1]
        labelled = re.search(r'aria-labelledby="([^"]+)"', head)
        assert labelled, head
        ids = labelled[1].split()
        title = re.search(r'<title id="([^"]+)">([^<]+)</title>', svg)
        desc = re.search(r'<desc id="([^"]+)">([^<]+)</desc>', svg)
        assert title and desc, svg[:300]
        assert ids == [title[1], desc[1]], head
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids"
    return len(found)


def test_every_chart_and_icon_on_the_bcf_dtoc_page_has_a_title_and_description(client):
    build_dashboards()
    client = sign_in_commissioner(client)
    html = client.get("/metrics/bcf-dtoc/").content.decode()
    assert assert_every_svg_img_is_labelled(html) >= 1
    html = client.get("/metrics/syn-dtoc-monthly/").content.decode()
    assert assert_every_svg_img_is_labelled(html) > 2


def test_the_overview_sparklines_and_icons_are_labelled(client):
    build_dashboards()
    client = sign_in_commissioner(client)
    html = client.get("/metrics/").content.decode()
    assert_every_svg_img_is_labelled(html)
    html = client.get("/places/rugby/").content.decode()
    assert_every_svg_img_is_labelled(html)


def test_a_sparkline_is_labelled():
    svg = str(spc_sparkline({"values": [1, 2, 3], "types": "ccc", "label": "Trend"}))
    assert_every_svg_img_is_labelled(svg)


MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"


@pytest.mark.parametrize("n", [7, 13, 24, 37, 60])
def test_month_ticks_are_one_format_at_a_regular_step(n):
    labels = [f"{m} {2019 + (i // 12)}" for i, m in enumerate((MONTHS.split("|") * 6)[:n])]
    svg = str(
        spc_chart(
            {"id": "c", "title": "T", "desc": "D", "values": list(range(n)), "labels": labels}
        )
    )
    ticks = re.findall(r'<text x="[^"]+" y="[^"]+" text-anchor="[^"]+">([^<]*)</text>', svg)
    ticks = [t for t in ticks if re.fullmatch(rf"({MONTHS}) \d{{4}}", t) or not t[:1].isdigit()]
    assert ticks and all(re.fullmatch(rf"({MONTHS}) \d{{4}}", t) for t in ticks), ticks
    positions = [labels.index(t) for t in ticks]
    steps = {b - a for a, b in zip(positions, positions[1:], strict=False)}
    assert len(steps) <= 1, positions
    assert len(ticks) <= 7
