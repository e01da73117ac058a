"""The SPC charts are drawn where the snapshot says: limits per segment, special-cause points,
target; and the icons, sparklines and findings in words that go with them."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from demo.synthetic import month
from metrics import spc
from metrics.choices import Provenance
from metrics.models import Observation, SeriesSummary, Target
from metrics.selectors import finding, format_measure
from metrics.snapshots import latest_snapshot, snapshot_build
from metrics.templatetags.spc_charts import (
    ASSURANCE_ICONS,
    VARIATION_ICONS,
    spc_chart,
    spc_legend,
    spc_sparkline,
)
from places.models import Place
from tests.factories import MetricFactory, SeriesFactory
from tests.places.dashboard_data import sign_in_commissioner

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
# Twelve ordinary months, seven well above the mean (a run: improvement when higher is
# better), then one far below the lower limit (concern).
VALUES = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 11, 9, 13, 13.5, 12.5, 13, 14, 13, 12.8, 0]


@pytest.fixture
def commissioner_client(client):
    return sign_in_commissioner(client)


def make_series(values, *, rebase_at=(), target=None, polarity="higher_is_better", **metric):
    place = Place.objects.get(slug="rugby")
    metric = MetricFactory(polarity=polarity, decimal_places=1, **metric)
    series = SeriesFactory(
        metric=metric,
        place=place,
        rebase_periods=[month(i)[0].isoformat() for i in rebase_at],
    )
    Observation.objects.bulk_create(
        Observation(
            series=series,
            period_start=month(i)[0],
            period_end=month(i)[1],
            value=v,
            provenance=Provenance.UPLOAD,
        )
        for i, v in enumerate(values)
    )
    if target is not None:
        Target.objects.create(
            series=series,
            period_start=dt.date(2016, 4, 1),
            period_end=dt.date(2030, 3, 31),
            period_label="2016-2030",
            value=target,
        )
    snapshot_build(system_id=place.system_id, place_id=place.pk)
    summary = SeriesSummary.objects.get(
        series=series, snapshot=latest_snapshot(system_id=place.system_id, place_id=place.pk)
    )
    return series, summary


def chart_svg(client, series) -> ET.Element:
    html = client.get(series.metric.get_absolute_url()).content.decode()
    start = html.index(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spc-chart" id="series-{series.pk}-chart"'
    )
    return parse(html[start : html.index("</svg>", start) + len("</svg>")])


class Scale:
    """Turns values and point indexes into the chart's coordinates, from its own attributes."""

    def __init__(self, svg: ET.Element, n: int):
        self.bottom, self.top = map(float, svg.get("data-domain").split())
        self.y_top, self.y_bottom, self.x_left, self.x_right = map(
            float, svg.get("data-plot").split()
        )
        self.n = n

    def y(self, value: float) -> float:
        span = self.top - self.bottom
        return self.y_top + (self.top - value) * (self.y_bottom - self.y_top) / span

    def x(self, index: int) -> float:
        return self.x_left + index * (self.x_right - self.x_left) / (self.n - 1)


def parse(markup: str) -> ET.Element:
    # The portal's own markup, made in this test: xml.etree's known weaknesses do not apply.
    return ET.fromstring(str(markup))  # noqa: S314


def lines(svg: ET.Element, cls: str) -> list[ET.Element]:
    return svg.findall(f".//{SVG}line[@class='{cls}']")


def translate(element: ET.Element) -> tuple[float, float]:
    inner = element.get("transform").removeprefix("translate(").removesuffix(")")
    x, y = inner.split(",")
    return float(x), float(y)


def test_limits_and_special_cause_points_are_where_the_snapshot_says(commissioner_client):
    series, summary = make_series(VALUES, target=11)
    types = summary.points["types"]
    assert "I" in types and "C" in types, types  # the data make both kinds
    svg = chart_svg(commissioner_client, series)
    scale = Scale(svg, len(VALUES))

    (mean,) = lines(svg, "spc-mean")
    (upper,) = lines(svg, "spc-limit spc-limit--upper")
    (lower,) = lines(svg, "spc-limit spc-limit--lower")
    for line, value in ((mean, summary.mean), (upper, summary.upper), (lower, summary.lower)):
        assert float(line.get("y1")) == pytest.approx(scale.y(value), abs=0.06)
        assert float(line.get("y2")) == float(line.get("y1"))
        assert float(line.get("x1")) == pytest.approx(scale.x(0), abs=0.06)
        assert float(line.get("x2")) == pytest.approx(scale.x(len(VALUES) - 1), abs=0.06)

    points = list(svg.iter(f"{SVG}g"))
    points = [g for g in points if "spc-point" in g.get("class", "")]
    assert [g.get("data-type") for g in points] == list(types)
    for i, g in enumerate(points):
        x, y = translate(g)
        assert x == pytest.approx(scale.x(i), abs=0.06)
        assert y == pytest.approx(scale.y(VALUES[i]), abs=0.06)
    concern = [int(g.get("data-index")) for g in points if "spc-point--concern" in g.get("class")]
    improvement = [
        int(g.get("data-index")) for g in points if "spc-point--improvement" in g.get("class")
    ]
    assert concern == [i for i, t in enumerate(types) if t == "C"]
    assert improvement == [i for i, t in enumerate(types) if t == "I"]
    # Shape as well as colour: a concern is a diamond (path), an improvement a square (rect).
    assert points[concern[0]].find(f"{SVG}path") is not None
    assert points[improvement[0]].find(f"{SVG}rect") is not None
    assert points[0].find(f"{SVG}circle") is not None

    (target,) = lines(svg, "spc-target")
    assert float(target.get("y1")) == pytest.approx(scale.y(11), abs=0.06)


def test_a_rebased_chart_has_limits_per_segment(commissioner_client):
    values = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 11, 9] + [20, 21, 19, 20, 22, 18] * 2
    series, summary = make_series(values, rebase_at=[12])
    segments = summary.points["segments"]
    assert [s[0] for s in segments] == [0, 12]
    svg = chart_svg(commissioner_client, series)
    scale = Scale(svg, len(values))
    means = sorted(lines(svg, "spc-mean"), key=lambda e: e.get("data-segment"))
    uppers = sorted(
        lines(svg, "spc-limit spc-limit--upper"),
        key=lambda e: e.get("data-segment"),
    )
    assert len(means) == len(uppers) == 2
    for k, (first, last) in enumerate(((0, 11), (12, len(values) - 1))):
        assert float(means[k].get("y1")) == pytest.approx(scale.y(segments[k][1]), abs=0.06)
        assert float(uppers[k].get("y1")) == pytest.approx(scale.y(segments[k][3]), abs=0.06)
        assert float(means[k].get("x1")) == pytest.approx(scale.x(first), abs=0.06)
        assert float(means[k].get("x2")) == pytest.approx(scale.x(last), abs=0.06)
    assert len(list(lines(svg, "spc-rebase"))) == 1


def test_the_chart_has_a_title_and_the_finding_as_its_description(commissioner_client):
    series, summary = make_series(VALUES, target=11, short_name="Test & <measure>")
    svg = chart_svg(commissioner_client, series)
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
    assert title.text == "Test & <measure>: Rugby"  # escaped in the markup, intact when parsed
    assert desc.text.startswith("Special cause concern: the latest value (0.0 in November 2017)")
    assert "is below the lower process limit" in desc.text
    assert "The target (11.0)" in desc.text


def test_fewer_than_twelve_points_draw_no_chart_and_say_how_many_are_needed(
    commissioner_client,
):
    series, summary = make_series([10, 11, 9, 10, 12, 8, 10, 11])
    assert summary.provisional and summary.variation == ""
    html = commissioner_client.get(series.metric.get_absolute_url()).content.decode()
    assert f'id="series-{series.pk}-chart"' not in html
    assert "SPC needs at least 12 points" in html and "4 more points needed" in html


def test_a_single_point_chart_draws_without_limits():
    svg = parse(
        spc_chart(
            {
                "id": "one",
                "title": "t",
                "desc": "d",
                "values": [5.0],
                "types": "c",
                "segments": [[0, 5.0, None, None, None, None]],
                "labels": ["Apr 2016"],
            }
        )
    )
    assert len([g for g in svg.iter(f"{SVG}g") if "spc-point" in g.get("class", "")]) == 1
    assert not list(lines(svg, "spc-limit spc-limit--upper"))


def test_icons_are_the_portals_own_with_text_alternatives():
    for code in spc.VARIATIONS:
        icon = parse(VARIATION_ICONS[code])
        assert icon.get("role") == "img"
        assert icon.find(f"{SVG}title").text == spc.LABELS[code]
    for code in spc.ASSURANCES:
        icon = parse(ASSURANCE_ICONS[code])
        assert icon.find(f"{SVG}title").text == spc.LABELS[code]
    assert "no target" in parse(ASSURANCE_ICONS[""]).find(f"{SVG}title").text
    assert len(set(VARIATION_ICONS.values())) == len(spc.VARIATIONS)
    assert len(set(ASSURANCE_ICONS.values())) == len(spc.ASSURANCES) + 1
    legend = str(spc_legend())
    for words in ("Special cause concern", "Special cause improvement", "Process limits", "Target"):
        assert words in legend


def test_sparkline_marks_the_special_cause_points_and_the_last():
    spark = {"values": [1, 2, 3, 2, 9, 2], "types": "ccccCc", "label": "Trend <x>"}
    svg = parse(spc_sparkline(spark))
    assert svg.find(f"{SVG}title").text == "Trend <x>"
    marks = [g for g in svg.iter(f"{SVG}g") if "spc-point" in g.get("class", "")]
    assert [m.get("class") for m in marks] == [
        "spc-point spc-point--concern",
        "spc-point spc-point--common",
    ]
    assert str(spc_sparkline({"values": []})) == ""


def fmt(v):
    return format_measure(v, decimals=1, unit="")


SEGMENT = [[0, 10.0, 4.0, 16.0, 8.0, 12.0]]
LABELS = [f"month {i}" for i in range(12)]


@pytest.mark.parametrize(
    ("values", "types", "expected"),
    [
        (
            [10, 9, 11, 10, 9, 11, 12, 11, 10, 9, 11, 17],
            "cccccccccccC",
            "Special cause concern: the latest value (17.0 in month 11) is above the upper "
            "process limit (16.0).",
        ),
        (
            [10, 9, 10, 9, 10, 11, 11, 12, 11, 11, 12, 11],
            "cccccIIIIIII",
            "Special cause improvement: 7 points in a row above the mean since month 5.",
        ),
        (
            [10, 9, 10, 9, 10, 4.5, 5, 6, 7, 8, 9, 9.5],
            "cccccIIIIIII",
            "Special cause improvement: 7 points in a row rising, since month 5.",
        ),
        (
            [10, 9, 10, 9, 10, 11, 9, 10, 10, 13, 11, 13],
            "cccccccccCcC",
            "Special cause concern: two of the last three points are close to the upper "
            "process limit.",
        ),
        (
            [10, 9, 10, 9, 10, 11, 9, 10, 10, 11, 9, 10.5],
            "cccccccccccc",
            "Common cause variation: the latest value (10.5 in month 11) shows no "
            "special-cause pattern.",
        ),
    ],
)
def test_the_finding_says_why_in_words(values, types, expected):
    text = finding(
        values=values,
        labels=LABELS,
        types=types,
        segments=SEGMENT,
        offset=0,
        assurance="hit_and_miss",
        target=11.0,
        provisional=False,
        fmt=fmt,
    )
    assert text.startswith(expected)
    assert text.endswith("it is met in some periods and missed in others.")


def test_a_run_longer_than_the_recent_points_is_said_to_be_at_least():
    text = finding(
        values=[11.0] * 8,
        labels=LABELS[:8],
        types="IIIIIIII",
        segments=SEGMENT,
        offset=30,
        assurance="",
        target=None,
        provisional=False,
        fmt=fmt,
    )
    assert "at least 8 points in a row above the mean, since month 0 or earlier" in text
    assert "There is no target for this period." in text


def test_every_special_cause_ending_is_explained_by_a_rule():
    """Across many series, the words name a rule whenever the engine flags the last point."""
    import numpy as np

    from metrics.snapshots import TYPE_LETTERS

    rng = np.random.default_rng(6)
    explained = 0
    for k in range(400):
        n = int(rng.integers(8, 40))
        values = rng.normal(10, 1, n) + (rng.random() < 0.5) * np.linspace(0, rng.normal(0, 3), n)
        values = np.round(values, 1).tolist()
        result = spc.analyse(values, improvement=("increase", "decrease")[k % 2])
        types = "".join(TYPE_LETTERS[t] for t in result.point_type)
        segment = [
            0,
            result.mean[-1],
            result.lower[-1],
            result.upper[-1],
            result.lower_two_sigma[-1],
            result.upper_two_sigma[-1],
        ]
        text = finding(
            values=values,
            labels=[str(i) for i in range(n)],
            types=types,
            segments=[segment],
            offset=0,
            assurance="",
            target=None,
            provisional=False,
            fmt=fmt,
        )
        if types[-1] != "c":
            explained += 1
            assert "meet one of the special-cause rules" not in text, (values, types, text)
    assert explained > 50
