"""The metrics index, a metric's page (charts, data tables, CSV, owner board) and the icons page."""

import csv
import io
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.models import Metric, Observation, Series
from tests.places.dashboard_data import (
    build_dashboards,
    grow,
    publish_snapshots,
    sign_in_commissioner,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def commissioner_client(client):
    return sign_in_commissioner(client)


@pytest.fixture
def dashboards():
    return build_dashboards()


def html_of(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def sections(html: str) -> list[str]:
    """The page's per-subject sections (chart, summary and data table of one series)."""
    return html.split('<section class="spc-series"')[1:]


def test_metrics_index_is_linked_from_the_header_and_lists_every_metric(commissioner_client):
    html = html_of(commissioner_client, "/")
    assert 'class="nhsuk-header__navigation-link" href="/metrics/"' in html
    html = html_of(commissioner_client, "/metrics/")
    for metric in Metric.objects.all():
        assert f'href="{metric.get_absolute_url()}"' in html
    assert "Local Workforce Action Board" in html


def test_metrics_index_filters_with_the_api_filterset(commissioner_client, dashboards):
    from metrics.filtersets import MetricFilterSet

    response = commissioner_client.get("/metrics/", {"category": "workforce", "synthetic": "false"})
    assert isinstance(response.context["filter"], MetricFilterSet)
    html = response.content.decode()
    assert "/metrics/wf-headcount/" in html and "/metrics/syn-sickness-monthly/" not in html
    assert "/metrics/bcf-dtoc/" not in html
    # Counts of special cause from the latest snapshots.
    html = html_of(commissioner_client, "/metrics/", q="Sickness absence rate by month")
    assert "<strong>3</strong>" in html  # three providers' sickness series end in concern


def test_metrics_index_pages_by_fifty_keeping_the_filter(commissioner_client, dashboards):
    import re
    from unittest import mock

    from metrics import views

    wanted = {m.get_absolute_url() for m in Metric.objects.filter(is_synthetic=True)}
    assert len(wanted) > 3
    with mock.patch.object(views, "METRICS_PER_PAGE", 3):
        seen, url = [], "/metrics/?synthetic=true"
        while url:
            html = html_of(commissioner_client, url)
            table = html[html.index("<table") : html.index("</table>")]
            found = re.findall(r'<a href="(/metrics/[^"/]+/)"', table)
            assert 1 <= len(found) <= 3
            seen += found
            nxt = re.search(r'href="\?([^"]+)" rel="next"', html)
            url = f"/metrics/?{nxt.group(1).replace('&amp;', '&')}" if nxt else None
            assert url is None or "synthetic=true" in url
        assert sorted(seen) == sorted(wanted)
        assert commissioner_client.get("/metrics/?page=99").status_code == 404
        assert commissioner_client.get("/metrics/?page=x").status_code == 404


def test_a_metric_page_has_a_chart_summary_and_data_table_per_subject(
    commissioner_client, dashboards
):
    metric = Metric.objects.get(code="syn-sickness-monthly")
    url = metric.get_absolute_url()
    parts = sections(html_of(commissioner_client, url)) + sections(
        html_of(commissioner_client, url, page=2)
    )
    assert len(parts) == metric.series.count() == 4
    for part in parts:
        assert 'class="spc-chart"' in part and 'role="img"' in part
        assert "<desc id=" in part and "What the chart shows:" in part
        # The data table, in a details element, with caption and headers.
        details = part[part.index('<details class="nhsuk-details">') :]
        assert "Data table: Sickness %" in details
        assert '<caption class="nhsuk-table__caption' in details
        assert details.count('<th scope="col"') == 8
        assert details.count('<th scope="row"') == 48
        # Synthetic series: labelled next to the chart and in the table.
        assert part.index("synthetic (illustrative)") < part.index('class="spc-chart"')
        assert "— synthetic (illustrative)</caption>" in details
    geh = next(p for p in parts if "George Eliot Hospital NHS Trust" in p)
    assert "Special cause concern: the latest value (5.51% in March 2020)" in geh


def test_the_owner_board_and_who_sits_on_it(commissioner_client, dashboards):
    html = html_of(commissioner_client, "/metrics/syn-sickness-monthly/")
    owner = html[html.index('id="owner"') : html.index('id="charts"')]
    assert "Who sits on the Local Workforce Action Board" in owner
    assert "for Primary Care" in owner and "Source: 5-year plan, line 468" in owner
    assert 'href="/boards/local-workforce-action-board/"' in owner


def test_documented_figures_show_their_sources(commissioner_client, dashboards):
    html = html_of(commissioner_client, "/metrics/wf-headcount/")
    for part in sections(html):
        assert "5-year plan, line 506" in part
        assert "synthetic (illustrative)" not in part
    assert "One value so far" in html


def test_a_series_not_yet_in_a_snapshot_says_so(commissioner_client):
    html = html_of(commissioner_client, "/metrics/wf-headcount/")
    assert "Not yet in a published snapshot" in html


def test_csv_download_of_the_data_tables(commissioner_client, dashboards):
    metric = Metric.objects.get(code="syn-dtoc-monthly")
    response = commissioner_client.get(metric.get_absolute_url(), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="syn-dtoc-monthly.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    observations = Observation.objects.filter(series__metric=metric).order_by("period_start")
    assert len(rows) == observations.count() == 48
    first = rows[0]
    assert first["metric"] == "syn-dtoc-monthly"
    assert first["subject"] == "Warwickshire County Council"
    assert first["period_start"] == "2016-04-01"
    assert float(first["value"]) == observations[0].value
    assert first["target"] == "" and rows[-1]["target"] == "44.4"
    assert {r["point_type"] for r in rows} <= {
        "common_cause",
        "special_cause_improvement",
        "special_cause_concern",
    }
    assert {r["provenance"] for r in rows} == {"synthetic"}
    assert all(float(r["upper_limit"]) > float(r["lower_limit"]) for r in rows)


def test_about_icons_explains_every_icon_and_rule(commissioner_client):
    from metrics import spc

    html = html_of(commissioner_client, "/about/icons/")
    for code in (*spc.VARIATIONS, *spc.ASSURANCES):
        assert f">{spc.LABELS[code]}</title>" in html
    for words in ("2.66", "3.267", "7 points in a row", "fewer than 12 points", "rebased"):
        assert words in html
    assert 'href="/about/icons/"' in html_of(commissioner_client, "/")


def test_unknown_metric_is_404(commissioner_client):
    assert commissioner_client.get("/metrics/no-such-metric/").status_code == 404


def test_metric_pages_queries_do_not_grow_with_the_data(commissioner_client, dashboards):
    def queries(url):
        # Counted with the charts cached, as a published snapshot leaves them.
        commissioner_client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert commissioner_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def uncached(url):
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert commissioner_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    grown = Metric.objects.create(
        code="grown-metric",
        name="Grown",
        short_name="Grown",
        unit="count",
        polarity="higher_is_better",
        frequency="monthly",
        category="activity",
    )

    def copy_observations(series):
        Observation.objects.bulk_create(
            Observation(
                series=series,
                period_start=o.period_start,
                period_end=o.period_end,
                value=o.value,
                provenance=o.provenance,
                source_document_id=o.source_document_id,
                source_line=o.source_line,
            )
            for o in Observation.objects.filter(series__metric__code="syn-dtoc-monthly")
        )

    # One series to begin with (with none, Django skips the prefetch queries altogether).
    copy_observations(Series.objects.create(metric=grown, subject_type="system", system=dashboards))
    publish_snapshots(dashboards)
    urls = ("/metrics/", "/metrics/syn-sickness-monthly/", "/metrics/grown-metric/")
    before = {url: queries(url) for url in urls}
    cold_before = {url: uncached(url) for url in urls}
    grow(dashboards)
    # The grown metric gets a series for every Place and organisation, with observations.
    subjects = set(
        Series.objects.filter(metric__code__startswith="metric-").values_list(
            "subject_type", "place_id", "organisation_id"
        )
    )
    for subject_type, place_id, organisation_id in subjects:
        copy_observations(
            Series.objects.create(
                metric=grown,
                subject_type=subject_type,
                place_id=place_id,
                organisation_id=organisation_id,
            )
        )
    publish_snapshots(dashboards)
    assert grown.series.count() >= 9
    after = {url: queries(url) for url in urls}
    assert after == before
    assert {url: uncached(url) for url in urls} == cold_before
    # A metric's page: session, user with role (2); the metric with its owner board; the
    # systems; the latest snapshot ids; the board's seats; the statements (5). Rendering the
    # charts (once a snapshot) adds the series, their targets, their annotations, the
    # summaries, the observations (5), and the documents and data-quality flags, for the doubts
    # beside the metric, its statements and targets (2).
    assert before["/metrics/syn-sickness-monthly/"] <= 8, before
    assert cold_before["/metrics/syn-sickness-monthly/"] <= 15, cold_before
    # The index: session (3); the Board choices of the filter; metrics; the counts (3);
    # the session saved (3).
    assert before["/metrics/"] <= 9, before


def test_the_metric_page_shows_one_systems_subjects_with_a_selector(
    commissioner_client, dashboards
):
    from places.models import Place, System

    url = "/metrics/syn-sickness-monthly/"
    one_system = html_of(commissioner_client, url)
    # With one system there is nothing to choose.
    assert 'name="system"' not in one_system
    charts = len(sections(one_system))
    other = System.objects.create(key="aaa-other", slug="aaa-other", name="AAA Other System")
    place = Place.objects.create(key="aaa-place", slug="aaa-place", name="AAA Place", system=other)
    metric = Metric.objects.get(code="syn-sickness-monthly")
    Series.objects.create(metric=metric, subject_type="place", place=place)
    # The first system by name is the default: the other system, with its one Place.
    default = html_of(commissioner_client, url)
    assert 'name="system"' in default and 'value="aaa-other" selected' in default
    assert [s.count("AAA Place") > 0 for s in sections(default)] == [True]
    chosen = html_of(commissioner_client, url, system=dashboards.slug)
    assert len(sections(chosen)) == charts and "AAA Place" not in chosen
    assert f"system={dashboards.slug}&amp;format=csv" in chosen
    assert commissioner_client.get(url, {"system": "no-such-system"}).status_code == 404


def test_the_charts_are_cached_by_snapshot_and_rendered_again_after_a_new_one(
    commissioner_client, dashboards
):
    url = "/metrics/syn-sickness-monthly/"
    cache.clear()

    def rendered(response):
        return "metrics/includes/metric_charts.html" in [t.name for t in response.templates]

    first = commissioner_client.get(url)
    assert rendered(first)
    second = commissioner_client.get(url)
    assert not rendered(second)

    # The same charts; only the CSP nonce and the sign-out form's CSRF token differ.
    def charts(response):
        html = response.content.decode()
        return html[html.index('id="charts"') : html.index('id="targets"')]

    assert charts(second) == charts(first)
    grow(dashboards)  # new data, new snapshots
    assert rendered(commissioner_client.get(url))


def test_a_metric_page_shows_a_page_of_subjects_and_links_every_subject(
    commissioner_client, dashboards
):
    import re

    from metrics import views
    from metrics.selectors import chart_anchor

    metric = Metric.objects.get(code="syn-sickness-monthly")
    url = metric.get_absolute_url()
    every = {chart_anchor(s.pk) for s in metric.series.all()}
    assert len(every) == 4
    cache.clear()
    with mock.patch.object(views, "CHARTS_PER_PAGE", 3):
        first = html_of(commissioner_client, url)
        # Three charts, each with its data table; the fourth subject on page 2.
        assert len(sections(first)) == 3
        assert all("<details" in p and 'scope="row"' in p for p in sections(first))
        nav = first[first.index('aria-label="Subjects of this metric"') :]
        nav = nav[: nav.index("</nav>")]
        links = re.findall(r'href="([^"]*)#(series-\d+)"', nav)
        assert {anchor for _, anchor in links} == every
        elsewhere = [(link, anchor) for link, anchor in links if link]
        assert elsewhere == [(elsewhere[0][0], elsewhere[0][1])] and "page=2" in elsewhere[0][0]
        assert 'aria-label="Pages of subjects"' in first and 'href="?page=2#charts"' in first
        seen = set()
        for page in (1, 2):
            html = html_of(commissioner_client, url, page=page)
            seen |= set(re.findall(r'<section class="spc-series" aria-labelledby="([^"]+)"', html))
        assert seen == every
        assert commissioner_client.get(url, {"page": 3}).status_code == 404
        assert commissioner_client.get(url, {"page": "x"}).status_code == 404
        # A link to one subject's chart opens the page that shows it.
        last = elsewhere[0][1]
        html = html_of(commissioner_client, url, series=last.removeprefix("series-"))
        assert f'aria-labelledby="{last}"' in html
        # The CSV keeps every subject.
        csv_rows = list(
            csv.DictReader(io.StringIO(html_of(commissioner_client, url, format="csv")))
        )
        assert len({r["subject"] for r in csv_rows}) == 4
    cache.clear()


def test_the_page_says_the_kind_of_data_its_chart_and_its_rule_profile(
    commissioner_client, dashboards
):
    metric = Metric.objects.order_by("pk").first()
    metric.rules = "mdc"
    metric.save(update_fields=["rules"])
    html = html_of(commissioner_client, f"/metrics/{metric.code}/")
    assert "Kind of data</dt>" in html and metric.get_data_kind_display() in html
    assert "Chart</dt>" in html and metric.get_chart_display() in html
    assert "Special-cause rules</dt>" in html
    assert "Making Data Count (two of three: beyond two sigma, limits included)" in html
