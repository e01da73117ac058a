"""Every cited fact: on the page of what it describes, grouped by topic with its source, in
``/api/v1/facts/`` with its filters; the data-quality flags beside the facts they doubt and in
``/api/v1/data-quality/``."""

import html as html_lib

import pytest

from places.models import DataQualityFlag, Fact, Place
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst():
    return token_client("facts-analyst", "analyst")


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return html_lib.unescape(response.content.decode())


def shown(fact: Fact, html: str) -> bool:
    """The fact's words (its sentence, its figure as written, or what the figure counts) and
    its citation are on the page."""
    words = [w for w in (fact.text, fact.as_written, fact.plain_label) if w]
    return any(w in html for w in words) and f"Source: {fact.citation}" in html


def test_the_overview_shows_every_fact_of_the_system_by_topic_with_its_source(
    commissioner_client,
):
    html = page(commissioner_client, "/")
    facts = Fact.objects.filter(place=None).select_related("source_document")
    assert facts.count() >= 39
    missing = [f.key for f in facts if not shown(f, html)]
    assert not missing
    assert '<a class="nhsuk-contents-list__link" href="#facts">Facts</a>' in html
    assert '<h2 id="facts">Facts</h2>' in html
    # A heading a kind of fact, and one folded section a topic.
    assert '<h3 class="nhsuk-heading-s">Population health</h3>' in html
    assert '<h3 class="nhsuk-heading-s">Dated events</h3>' in html
    assert '<h3 class="nhsuk-heading-s">Dated event</h3>' not in html
    assert '<span class="nhsuk-details__summary-text">Children and Young People (4 facts)' in html


def test_the_warwickshire_suicide_rate_and_coventry_obesity_are_shown(commissioner_client):
    html = page(commissioner_client, "/")
    assert "10 per 100,000" in html
    assert "64.3%" in html
    assert "612,000" in html


@pytest.mark.parametrize("slug", ["coventry", "rugby", "south-warwickshire", "warwickshire-north"])
def test_a_place_page_shows_every_fact_of_the_place_with_its_source(commissioner_client, slug):
    place = Place.objects.get(slug=slug)
    html = page(commissioner_client, place.get_absolute_url())
    facts = place.facts.select_related("source_document")
    assert facts.exists()
    missing = [f.key for f in facts if not shown(f, html)]
    assert not missing


def test_a_flag_is_shown_beside_the_fact_it_doubts_with_both_sources(commissioner_client):
    # The Rugby housing growth year, printed "by 20301" in one document and "by 2030" in another.
    flag = DataQualityFlag.objects.get(key="dq-rugby-20301")
    html = page(commissioner_client, "/places/rugby/")
    assert "Data quality:" in html and flag.issue in html
    assert "See both sources: Place descriptions, line 48; " in html


def test_the_facts_api_lists_every_fact_with_its_source(analyst):
    body = analyst.get("/api/v1/facts/", {"page_size": 500}).json()
    assert body["count"] == Fact.objects.count()
    row = next(r for r in body["results"] if r["key"] == "system-population")
    assert row["value"] == 1000000
    assert row["as_written"] == "one million"
    assert row["place"] is None and row["system"]["slug"]
    assert row["source"] == {
        "document": "doc_001",
        "title": row["source"]["title"],
        "line": 55,
        "citation": f"{row['source']['title']}, line 55",
    }
    for field in ("unit", "text", "year", "qualifier", "kind", "topic", "figures"):
        assert field in row


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"place": "rugby"}, lambda f: f.place is not None and f.place.slug == "rugby"),
        ({"kind": "health"}, lambda f: f.kind == "health"),
        ({"topic": "dementia"}, lambda f: f.topic == "Dementia"),
        ({"document": "doc_000"}, lambda f: f.source_document.key == "doc_000"),
        ({"q": "suicide"}, lambda f: "suicide" in (f.text + f.label + f.as_written).lower()),
    ],
)
def test_the_facts_api_filters(analyst, params, expected):
    body = analyst.get("/api/v1/facts/", {**params, "page_size": 500}).json()
    facts = Fact.objects.select_related("place", "source_document")
    keys = {f.key for f in facts if f.source_document and expected(f)}
    assert keys
    assert {r["key"] for r in body["results"]} >= keys
    assert len(body["results"]) == body["count"]
    assert all(expected(facts.get(key=r["key"])) or r["key"] not in keys for r in body["results"])


def test_an_unknown_place_is_a_400(analyst):
    assert analyst.get("/api/v1/facts/", {"place": "nowhere"}).status_code == 400


def test_the_data_quality_api_lists_every_flag_with_its_sources(analyst):
    body = analyst.get("/api/v1/data-quality/", {"page_size": 500}).json()
    assert body["count"] == DataQualityFlag.objects.count() == 32
    row = next(r for r in body["results"] if r["key"] == "dq-rugby-20301")
    assert row["source"]["line"] == 48 and row["source"]["document"] == "doc_000"
    assert row["also_sources"] == [{"document": "doc_001", "line": 285}]
    assert "20301" in row["issue"] and row["handling"]


def test_the_accessibility_statement_is_public_and_linked_from_the_footer(
    client, commissioner_client
):
    response = client.get("/accessibility/")
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("What we test, and how", "Known issues", "Reporting a problem"):
        assert heading in html
    assert "axe-core" in html and "keyboard" in html
    assert 'href="/accessibility/">Accessibility statement</a>' in html
    # And from every page's footer once signed in.
    assert 'href="/accessibility/">Accessibility statement</a>' in page(commissioner_client, "/")


def test_the_overview_lists_every_data_quality_flag_with_its_sources(commissioner_client):
    html = page(commissioner_client, "/")
    assert 'href="#data-quality">Where the documents disagree</a>' in html
    for flag in DataQualityFlag.objects.select_related("source_document"):
        assert flag.issue in html, flag.key
        assert flag.citation in html, flag.key


def test_a_figure_is_shown_in_the_documents_words_never_rounded(commissioner_client):
    fact = Fact.objects.get(key="finance-fig-allocation-2018-19")
    html = page(commissioner_client, "/")
    assert f"{fact.label}: {fact.as_written}" in html


def test_finance_shows_every_finance_fact_with_its_source_in_its_own_section(
    commissioner_client, analyst
):
    html = page(commissioner_client, "/finance/")
    facts = Fact.objects.filter(kind="finance").select_related("source_document")
    assert facts.exists()
    assert '<h2 id="statements">Other finance statements and figures</h2>' in html
    section = html.split('<h2 id="statements">')[1].split('<h2 id="principles">')[0]
    missing = [f.key for f in facts if not shown(f, section)]
    assert not missing
    # Reachable from the finance figures' description in the API schema.
    schema = analyst.get("/api/schema/").content.decode()
    assert "/api/v1/facts/?kind=finance" in schema


def test_flags_citing_finds_the_flags_of_any_line_in_two_queries(django_assert_num_queries):
    from places.selectors import flags_citing

    with django_assert_num_queries(2):
        found = flags_citing([("doc_004", 248), ("doc_004", 3), ("doc_009", 1)])
    assert [f["key"] for f in found] == ["dq-nea-unit", "dq-partnership-board-chair"]
    # Many more lines asked about: the same two queries.
    with django_assert_num_queries(2):
        assert len(flags_citing([("doc_002", n) for n in range(1, 800)])) > 5


@pytest.mark.parametrize(
    "url, key",
    [
        # the Partnership Board's chair, stated differently in two documents
        (
            "/boards/coventry-and-warwickshire-health-and-care-partnership-board/",
            "dq-partnership-board-chair",
        ),
        # the NEA metric titled per 100,000 with a volume target; the DTOC target's period
        ("/metrics/bcf-nea/", "dq-nea-unit"),
        # the underlying positions headed by area; the control total in two measures
        ("/finance/", "dq-underlying-positions-basis"),
        ("/finance/", "dq-control-total-measures"),
        ("/places/coventry/finance/", "dq-underlying-positions-basis"),
    ],
)
def test_a_flag_is_shown_beside_the_board_metric_or_figure_citing_its_line(
    commissioner_client, url, key
):
    flag = DataQualityFlag.objects.get(key=key)
    html = page(commissioner_client, url)
    assert "Data quality:" in html and flag.issue in html
