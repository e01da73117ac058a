"""The overview and Place pages: the loaded facts with their sources, the SPC dashboards read
from published snapshots, helpful error pages, and a fixed number of queries."""

import re
from unittest import mock

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.views.defaults import server_error

from tests.places.dashboard_data import build_dashboards, grow, sign_in_commissioner

pytestmark = pytest.mark.django_db


@pytest.fixture
def commissioner_client(client):
    return sign_in_commissioner(client)


@pytest.fixture
def dashboards():
    return build_dashboards()


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# -- the facts and their sources -----------------------------------------------------------------


def test_overview_lists_the_four_places_with_populations_and_sources(commissioner_client):
    html = html_of(commissioner_client, "/")
    for name in ("Coventry", "Rugby", "South Warwickshire", "Warwickshire North"):
        assert name in html
    assert "103,443" in html and "192,278" in html and "circa 270,000" in html
    assert "Source: Place descriptions, line 48" in html
    assert "1,000,000" in html and "Source: Commissioning intentions 2020/21, line 55" in html


def test_overview_shows_the_system_in_numbers_with_sources(commissioner_client):
    html = html_of(commissioner_client, "/")
    assert "Primary Care Networks (PCNs)</dt>" in html and ">127\n" in html
    assert "Source: 5-year plan, line 378" in html
    # The outcomes as the system's documents word them (outcomes are data, not code).
    for outcome in (
        "Lead a healthy, independent and fulfilled life",
        "Be part of a strong community",
        "Experience effective and sustainable health and care services",
    ):
        assert outcome in html


def test_place_page_shows_priorities_and_boards(commissioner_client):
    html = html_of(commissioner_client, "/places/warwickshire-north/")
    assert "Frailty" in html
    assert "Warwickshire North Place Executive" in html
    assert "Source: Place descriptions, line 145" in html


def test_unknown_place_is_404(commissioner_client):
    assert commissioner_client.get("/places/atlantis/").status_code == 404


def test_board_pages(commissioner_client):
    assert "Partnership Executive Group" in html_of(commissioner_client, "/boards/")
    html = html_of(commissioner_client, "/boards/warwickshire-north-place-executive/")
    assert "Not named in the source" in html
    assert "George Eliot Hospital NHS Trust" in html
    assert "Place descriptions, line 169" in html


def test_metric_page_shows_targets_with_sources(commissioner_client):
    html = html_of(commissioner_client, "/metrics/bcf-dtoc/")
    assert "44.4" in html and "BCF plan 2019/20, line 17" in html


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


# -- the dashboards ------------------------------------------------------------------------------


def test_overview_names_the_places_with_a_series_in_special_cause_concern(
    commissioner_client, dashboards
):
    html = html_of(commissioner_client, "/")
    concern = html[html.index('id="concerns"') : html.index('id="places"')]
    # Rugby's illustrative NEA series ends in special cause concern (synthetic seed 2019).
    assert "Place NEA per month — Rugby" in concern
    assert 'href="/places/rugby/"' in concern
    assert "/metrics/syn-place-nea-monthly/?series=" in concern
    assert "synthetic (illustrative)" in concern
    # George Eliot Hospital's illustrative sickness rate: an organisation serving a Place.
    assert "Sickness % — George Eliot Hospital NHS Trust" in concern
    assert "serves" in concern and 'href="/places/warwickshire-north/"' in concern


def test_overview_matrix_has_every_series_with_icons_and_sparklines(
    commissioner_client, dashboards
):
    from metrics.models import Series

    html = html_of(commissioner_client, "/")
    matrix = html[html.index('id="matrix"') :]
    assert matrix.count('<tr class="nhsuk-table__row">') == Series.objects.count() + 1
    assert ">Special cause concern (high)</title>" in matrix
    assert ">Hit and miss the target</title>" in matrix
    assert 'class="spc-sparkline"' in matrix
    # Documented figures keep their sources in the matrix too.
    assert "Source: 5-year plan, line 506" in matrix
    assert "Source: BCF plan 2019/20, line 17" in matrix


def test_place_cards_count_series_by_variation_and_assurance(commissioner_client, dashboards):
    html = html_of(commissioner_client, "/")
    start = html.index('class="nhsuk-card__link" href="/places/rugby/"')
    rugby = html[start : html.index('class="nhsuk-card__link" href="/places/south-warwickshire/"')]
    assert "special cause concern" in rugby and "hit and miss" in rugby
    assert "Place NEA per month (Rugby)" in rugby


def test_place_page_has_tiles_workforce_hicm_and_board_seats(commissioner_client, dashboards):
    html = html_of(commissioner_client, "/places/warwickshire-north/")
    # Tiles: the Place's own series and those of the organisations serving it.
    assert "Place NEA per month" in html
    assert html.count('class="nhsuk-card spc-tile') >= 10
    assert "spc-tile--concern" in html
    # The finding in words, on the tile.
    assert "is above the upper process limit" in html or "points in a row" in html
    # Workforce of the providers serving the Place, with their sources.
    workforce = html[html.index('id="workforce"') : html.index('id="hicm"')]
    assert "George Eliot Hospital NHS Trust" in workforce
    assert "Coventry and Warwickshire Partnership NHS Trust" in workforce
    assert "University Hospitals of Coventry and Warwickshire" not in workforce
    assert "2,446" in workforce and "2,079.94" in workforce and "4.32%" in workforce
    assert "Source: 5-year plan, line 506" in workforce
    # HICM maturity: current and planned.
    hicm = html[html.index('id="hicm"') : html.index('id="priorities"')]
    assert "Early discharge planning" in hicm and "Mature" in hicm and "March 2020" in hicm
    # Boards: chair, seats and who sits on them.
    boards = html[html.index('id="boards"') : html.index('id="workforce"')]
    assert "Seats today" in boards and "Who sits on Warwickshire North Place Executive" in boards


def test_place_page_shows_hicm_only_where_the_assessment_covers_the_place(
    commissioner_client, dashboards
):
    html = html_of(commissioner_client, "/places/coventry/")
    assert "No High Impact Change Model assessment in the documents covers Coventry" in html


def test_every_synthetic_series_is_labelled_next_to_its_tile(commissioner_client, dashboards):
    html = html_of(commissioner_client, "/places/rugby/")
    tiles = html.split('class="nhsuk-card spc-tile')[1:]
    synthetic = [t for t in tiles if "(illustrative)" in t or "Place NEA" in t or "per month" in t]
    assert synthetic
    for tile in synthetic:
        assert "synthetic (illustrative)" in tile


def test_pages_never_compute_spc(commissioner_client, dashboards):
    with (
        mock.patch("metrics.spc.analyse", side_effect=AssertionError("SPC in a request")),
        mock.patch("metrics.spc.analyse_many", side_effect=AssertionError("SPC in a request")),
    ):
        for url in ("/", "/places/rugby/", "/metrics/", "/metrics/syn-place-nea-monthly/"):
            assert commissioner_client.get(url).status_code == 200


def test_overview_and_place_queries_do_not_grow_with_the_data(commissioner_client, dashboards):
    from django.core.cache import cache

    urls = ("/", "/places/warwickshire-north/", "/places/coventry/", "/concerns/")

    def counts():
        cache.clear()
        cold = {url: count_queries(commissioner_client, url) for url in urls}
        warm = {url: count_queries(commissioner_client, url) for url in urls}
        return cold, warm

    cold_before, before = counts()
    tiles = html_of(commissioner_client, "/places/coventry/").count("spc-tile")
    grow(dashboards)
    assert html_of(commissioner_client, "/places/coventry/").count("spc-tile") > tiles + 6
    cold_after, after = counts()
    assert after == before and cold_after == cold_before
    # The overview, its fragments cached by snapshot: session; user with role (2); system,
    # its facts, the documents' keys, the data-quality flags and the workstreams' leads (5);
    # the latest snapshot ids (1); the efficiency requirement (1). Rendering the fragments
    # (once a snapshot) adds the Places and their headline facts, the summaries, their two
    # kinds of source and the organisation-Place links.
    assert before["/"] <= 9, before
    # A Place, its page cached under its snapshots and the content version: session, user
    # with role (2); the Place with its snapshot ids and the content version (1). Rendering
    # the page (once a snapshot or a change of content) adds the facts, the documents' keys
    # and the data-quality flags (3), the priorities (1), boards and seats (2), HICM with its
    # latest assessments (1), and the tiles' summaries and their two kinds of source (3), and
    # the system's outcomes, which are data (1).
    assert before["/places/warwickshire-north/"] <= 3, before
    assert cold_before["/places/warwickshire-north/"] <= before["/places/warwickshire-north/"] + 11
    assert before["/concerns/"] <= 5, before


# -- fragments cached by snapshot ------------------------------------------------------------------

FRAGMENT_TEMPLATES = {
    "/places/rugby/": "assurance/includes/place_metrics.html",
    "/": "assurance/includes/overview_matrix.html",
}


def _rendered(response, url: str) -> bool:
    return FRAGMENT_TEMPLATES[url] in [t.name for t in response.templates]


def _without_nonce(html: str) -> str:
    import re

    # The CSP nonce and the sign-out form's CSRF token differ on every response.
    html = re.sub(r'nonce="[^"]*"', "", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.mark.parametrize("url", list(FRAGMENT_TEMPLATES))
def test_a_fragment_is_rendered_once_per_snapshot(commissioner_client, dashboards, url):
    from django.core.cache import cache

    cache.clear()
    first = commissioner_client.get(url)
    assert _rendered(first, url)
    second = commissioner_client.get(url)
    assert not _rendered(second, url)
    assert _without_nonce(second.content.decode()) == _without_nonce(first.content.decode())
    # A new snapshot (new data: grow() publishes again) is a new key: rendered again, reused.
    grow(dashboards)
    assert _rendered(commissioner_client.get(url), url)
    assert not _rendered(commissioner_client.get(url), url)


@pytest.mark.parametrize("url", [*FRAGMENT_TEMPLATES, "/metrics/syn-sickness-monthly/"])
def test_pages_are_the_same_with_the_cache_and_without_it_and_when_it_fails(
    commissioner_client, dashboards, url
):
    from django.core.cache import cache
    from django.test import override_settings

    cache.clear()
    commissioner_client.get(url)
    cached = _without_nonce(html_of(commissioner_client, url))
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    ):
        uncached = _without_nonce(html_of(commissioner_client, url))
    down = ConnectionError("Redis is down")
    with (
        mock.patch("metrics.fragments.cache.get_many", side_effect=down),
        mock.patch("metrics.fragments.cache.set_many", side_effect=down),
    ):
        failing = _without_nonce(html_of(commissioner_client, url))
    assert cached == uncached == failing


def test_publishing_warms_the_place_and_system_fragments(
    dashboards, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from assurance.selectors import place_snapshot_ids, with_snapshot_ids
    from metrics.fragments import fragment_key
    from places.models import Place

    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        grow(dashboards)  # new data, new snapshots
    rugby = with_snapshot_ids(Place.objects.filter(slug="rugby")).get()
    key = fragment_key("place-metrics", place_snapshot_ids(rugby), rugby.pk)
    assert "spc-tile" in cache.get(key)
    from assurance.fragments import overview_key
    from assurance.selectors import latest_snapshot_ids

    system_key = overview_key(
        "summary",
        system_id=dashboards.pk,
        snapshot_ids=latest_snapshot_ids(system_id=dashboards.pk),
    )
    assert "Special cause concern" in cache.get(system_key)


def test_the_overview_matrix_is_paginated_by_fifty_metrics(commissioner_client, dashboards):
    from assurance import selectors

    with mock.patch.object(selectors, "MATRIX_METRICS_PER_PAGE", 3):
        from django.core.cache import cache

        cache.clear()
        first = html_of(commissioner_client, "/")
        assert 'class="nhsuk-pagination nhsuk-pagination--numbered"' in first
        assert 'aria-current="page">1</a>' in first
        second = html_of(commissioner_client, "/?page=2")
        assert 'aria-current="page">2</a>' in second
        rows = first[first.index('id="matrix"') :].count('<tr class="nhsuk-table__row">') - 1
        codes = {
            line.split("/metrics/")[1].split("/")[0]
            for line in first[first.index('id="matrix"') :].split('<a href="')
            if line.startswith("/metrics/") and "#series-" in line.split('"')[0]
        }
        assert len(codes) == 3 and rows >= 3
        assert commissioner_client.get("/?page=999").status_code == 404
        assert commissioner_client.get("/?page=x").status_code == 404
        cache.clear()


def test_the_overview_matrix_pages_hold_at_most_forty_series(commissioner_client, dashboards):
    from django.core.cache import cache

    from assurance import selectors

    with mock.patch.object(selectors, "MATRIX_SERIES_PER_PAGE", 4):
        cache.clear()
        first = html_of(commissioner_client, "/")
        matrix = first[first.index('id="matrix"') :]
        rows = matrix.count('<tr class="nhsuk-table__row">') - 1
        assert 1 <= rows <= 4 or matrix.count("#series-") == rows  # one metric of more subjects
        pages = int(first.split('aria-label="Page ')[-1].split('"')[0])
        seen = set()
        for n in range(1, pages + 1):
            page = html_of(commissioner_client, f"/?page={n}")
            table = page[page.index("spc-matrix") : page.index("</table>")]
            seen |= set(re.findall(r'<a href="(/metrics/[^"]+#series-\d+)"', table))
        everything = selectors.system_dashboard()["rows"]
        assert seen == {r["chart_url"] for r in everything}
        cache.clear()


def test_the_overview_lists_the_first_concerns_and_links_the_full_list(
    commissioner_client, dashboards
):
    from django.core.cache import cache

    from assurance import selectors

    with mock.patch.object(selectors, "OVERVIEW_CONCERNS", 1):
        cache.clear()
        html = html_of(commissioner_client, "/")
        concern = html[html.index('id="concerns"') : html.index('id="places"')]
        # The full list is that of the overview's system.
        link = "/concerns/?system=coventry-and-warwickshire"
        assert concern.count("<li>") == 1 and f'href="{link}"' in concern
        full = html_of(commissioner_client, link)
        assert full.count("#series-") > 1
        cache.clear()


# -- a Place's metrics, paged ------------------------------------------------------------------


TILE = r'spc-tile[^"]*"><div class="nhsuk-card__content"><h4[^>]*><a href="([^"]+)"'
NEXT = r'<a class="nhsuk-link nhsuk-pagination__link" href="\?([^"#]+)[^"]*" rel="next"'


def test_a_place_shows_a_page_of_tiles_and_links_every_tile_on_pages_of_its_own(
    commissioner_client, dashboards
):
    import re

    from django.core.cache import cache

    from assurance import selectors
    from assurance.selectors import place_metrics, place_snapshot_ids, with_snapshot_ids
    from places.models import Place

    place = with_snapshot_ids(Place.objects.filter(slug="warwickshire-north")).get()
    expected = place_metrics(place=place, snapshot_ids=place_snapshot_ids(place))
    every = {r["chart_url"] for r in expected["rows"]}
    biggest = max(expected["tiles"], key=lambda g: len(g["rows"]))
    assert len(biggest["rows"]) >= 5, "the test needs a category of at least five series"
    with (
        mock.patch.object(selectors, "PLACE_TILES_PREVIEW", 2),
        mock.patch.object(selectors, "PLACE_TILES_PER_PAGE", 2),
    ):
        cache.clear()
        html = html_of(commissioner_client, "/places/warwickshire-north/")
        tiles = re.findall(TILE, html)
        # Two tiles of each category on the Place's page, not every tile.
        assert len(tiles) == sum(min(2, len(g["rows"])) for g in expected["tiles"])
        assert len(tiles) < len(every)
        link = f"/places/warwickshire-north/metrics/?category={biggest['key']}"
        assert f'href="{link}"' in html
        # Every tile is on one page of its category, reached through the pages' own links.
        base = "/places/warwickshire-north/metrics/"
        seen = []
        for group in expected["tiles"]:
            url = f"{base}?category={group['key']}"
            pages = 0
            while url:
                page = html_of(commissioner_client, url)
                pages += 1
                found = re.findall(TILE, page)
                assert 1 <= len(found) <= 2
                seen += found
                nxt = re.search(NEXT, page)
                url = f"{base}?{nxt.group(1).replace('&amp;', '&')}" if nxt else None
            assert pages == -(-len(group["rows"]) // 2)
            if pages > 1:
                first = html_of(commissioner_client, f"{base}?category={group['key']}")
                assert 'aria-current="page">1</a>' in first
        assert sorted(seen) == sorted(every) and len(seen) == len(every)
        # Past the last page, an unknown category or page: not found; no category: the Place.
        biggest_url = f"{base}?category={biggest['key']}"
        last = -(-len(biggest["rows"]) // 2)
        assert commissioner_client.get(f"{biggest_url}&page={last + 1}").status_code == 404
        assert commissioner_client.get(f"{biggest_url}&page=x").status_code == 404
        assert commissioner_client.get(f"{base}?category=x").status_code == 404
        assert commissioner_client.get("/places/atlantis/metrics/?category=bcf").status_code == 404
        response = commissioner_client.get(base)
        assert response.status_code == 302
        assert response["Location"] == "/places/warwickshire-north/#metrics"
        cache.clear()


def test_a_place_page_of_tiles_is_cached_and_its_queries_do_not_grow(
    commissioner_client, dashboards, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    url = "/places/coventry/metrics/?category=bcf"
    cache.clear()
    cold = count_queries(commissioner_client, url)
    warm = count_queries(commissioner_client, url)
    # Session, user with role (2); the Place with its snapshot ids (1). Rendering the pages
    # of tiles (once a snapshot) adds place_metrics' queries.
    assert warm <= 3, warm
    with django_capture_on_commit_callbacks(execute=True):
        grow(dashboards)  # more series, published again: the warming task renders every page
    assert count_queries(commissioner_client, url) == warm
    cache.clear()
    assert count_queries(commissioner_client, url) == cold


# -- error pages ---------------------------------------------------------------------------------


def test_404_is_a_helpful_page_in_the_design(commissioner_client):
    response = commissioner_client.get("/places/atlantis/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "nhsuk-header" in html and "nhsuk-footer" in html
    assert "<h1>Page not found</h1>" in html
    for link in ('href="/"', 'href="/boards/"', 'href="/metrics/"'):
        assert link in html


def test_500_is_a_page_in_the_design():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "nhsuk-header" in html and "Sorry, there is a problem with the service" in html
    assert "/static/css/portal.css" in html


def test_the_overview_matrix_pages_elide_the_far_page_numbers(commissioner_client, dashboards):
    from django.core.cache import cache

    from assurance import selectors

    with mock.patch.object(selectors, "MATRIX_METRICS_PER_PAGE", 1):
        cache.clear()
        first = html_of(commissioner_client, "/")
        pages = int(first.split('aria-label="Page ')[-1].split('"')[0])
        assert pages >= 6, "the test needs at least six pages of the matrix"
        nav = first[first.index('aria-label="Pages of the matrix"') :]
        nav = nav[: nav.index("</nav>")]
        assert nav.count('aria-label="Page ') == 3  # 1, 2 and the last
        assert "nhsuk-pagination__item--ellipsis" in nav
        assert f'href="?page={pages}#matrix"' in nav and 'href="?page=4#matrix"' not in nav
        cache.clear()
