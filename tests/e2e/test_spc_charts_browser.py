"""The charts of issue #23 in a real browser with axe (WCAG 2.2 A and AA): a p-chart metric's
page with an annotation, the funnel plot comparing Places, and the icon summary table."""

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
CODE = "e2e-readmissions"
PAGES = {
    "p-chart": f"/metrics/{CODE}/",
    "funnel": f"/metrics/{CODE}/compare/?period=2024-06",
    "summary": "/metrics/summary/?place=rugby",
}


@pytest.fixture(scope="module")
def p_chart_metric(portal, django_db_blocker):
    """A synthetic proportion metric with a p chart for every C&W Place, an annotation on
    Rugby's series and published snapshots (the portal's teardown deletes synthetic metrics)."""
    from governance.services import role_grant
    from metrics.models import Metric, Observation, Series
    from metrics.services import annotation_create
    from places.models import Place
    from tests.places.dashboard_data import publish_snapshots

    with django_db_blocker.unblock():
        metric = Metric.objects.create(
            code=CODE,
            name="Emergency readmissions within 30 days (illustrative)",
            short_name="Readmissions",
            unit="%",
            polarity="lower_is_better",
            frequency="monthly",
            category="quality",
            data_kind="proportion",
            chart="p",
            multiplier=100,
            is_synthetic=True,
        )
        places = list(Place.objects.order_by("name"))
        rows = []
        for k, place in enumerate(places):
            series = Series.objects.create(metric=metric, subject_type="place", place=place)
            if place.slug == "rugby":
                rugby = series
            for i in range(24):
                start = dt.date(2022 + (6 + i) // 12, (6 + i) % 12 + 1, 1)
                end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
                den = 400 + 150 * k + 40 * (i % 3)
                num = round(den * (0.08 + 0.01 * (i % 4) + (0.05 if k == 0 and i > 20 else 0)))
                rows.append(
                    Observation(
                        series=series,
                        period_start=start,
                        period_end=end,
                        value=num / den * 100,
                        numerator=num,
                        denominator=den,
                        provenance="synthetic",
                    )
                )
        Observation.objects.bulk_create(rows)
        analyst = role_grant(username="e2e-analyst", role="analyst").user
        annotation_create(
            user=analyst,
            series=rugby,
            kind="intervention",
            period=dt.date(2023, 4, 1),
            label="Virtual ward opened",
            text="Step-up beds in the community",
        )
        publish_snapshots(places[0].system)
    yield metric
    with django_db_blocker.unblock():
        analyst.delete()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_new_charts_pass_axe(browser, portal, p_chart_metric, axe_script, artifacts, name, width):
    context = browser.new_context(viewport=WIDTHS[width])
    context.add_cookies([portal["cookie"]])
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    try:
        response = page.goto(portal["url"] + PAGES[name])
        assert response.status == 200
        assert page.locator("h1").count() == 1
        if name == "p-chart":
            rugby = p_chart_metric.series.get(place__slug="rugby")
            chart = page.locator(f"#series-{rugby.pk}-chart")
            assert chart.locator(".spc-annotation").count() == 1
            assert chart.locator("polyline.spc-steps").count() == 3
            assert "Virtual ward opened" in page.locator(".spc-annotations").first.inner_text()
        elif name == "funnel":
            assert page.locator("svg.funnel-chart .funnel-point").count() == 4
            assert page.locator("svg.funnel-chart title").text_content().startswith("Readmissions")
        else:
            assert page.locator(".spc-summary-table .spc-icon").count() > 0
        assert page.get_by_text("synthetic (illustrative)").first.is_visible()
        page.screenshot(path=artifacts / f"spc2-{name}-{width}.jpg", full_page=True, quality=70)
        if width == "phone":
            overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px on a phone"
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        page.evaluate(axe_script.read_text(encoding="utf-8"))
        result = page.evaluate(
            "(tags) => axe.run(document,"
            " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            WCAG_TAGS,
        )
        violations = [
            f"{v['id']}: {v['help']} — " + "; ".join(str(n["target"]) for n in v["nodes"][:5])
            for v in result["violations"]
        ]
        assert violations == [], "\n".join(violations)
        assert errors == []
    finally:
        context.close()
