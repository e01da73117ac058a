"""A dated event carries the date its words give, no more precise than they are: parsed from
the words as written, filterable and ordered in ``/api/v1/facts/``, shown in date order."""

import datetime as dt
import html as html_lib

import pytest

from places.extraction import ExtractionError, event_date
from places.models import Fact
from tests.api.conftest import token_client


def event(words: str, date: str, note: str = "") -> dict:
    return {"date_as_written": words, "date": date, "note": note, "event": "x"}


@pytest.mark.parametrize(
    ("words", "date", "note", "start", "precision"),
    [
        ("21st April 2016", "2016-04-21", "", dt.date(2016, 4, 21), "day"),
        ("26th of June", "2017-06-26", "year inferred (2017 report)", dt.date(2017, 6, 26), "day"),
        ("Wednesday 13th September 2017", "2017-09-13", "", dt.date(2017, 9, 13), "day"),
        ("early July", "2017-07", "year inferred (2017 report)", dt.date(2017, 7, 1), "month"),
        ("Mar 2020", "2020-03", "", dt.date(2020, 3, 1), "month"),
        ("end of September 2019", "2019-09", "", dt.date(2019, 9, 1), "month"),
        ("summer of 2018", "2018", "", dt.date(2018, 1, 1), "year"),
        ("2017 / late 2017", "2017", "", dt.date(2017, 1, 1), "year"),
        ("2015/16", "2015/16", "", dt.date(2015, 4, 1), "financial_year"),
        ("Q4 2018/19", "2018/19 Q4", "", dt.date(2019, 1, 1), "quarter"),
        ("Q1 2019/20", "2019/20 Q1", "", dt.date(2019, 4, 1), "quarter"),
    ],
)
def test_an_event_date_is_parsed_from_its_words_to_their_precision(
    words, date, note, start, precision
):
    found = event_date(event(words, date, note), "events[0]")
    assert (found.start, found.precision) == (start, precision)


def test_words_without_a_year_need_the_extraction_or_the_editors_to_say_which():
    with pytest.raises(ExtractionError, match=r"events\[3\]: 'mid-November' gives no year"):
        event_date(event("mid-November", "2019-11"), "events[3]")
    found = event_date(event("mid-November", "2019-11"), "events[3]", chosen_year=2019)
    assert (found.start, found.precision) == (dt.date(2019, 11, 1), "month")


def test_words_that_disagree_with_the_extractions_date_are_refused():
    with pytest.raises(ExtractionError, match="reads as 2017-05, the extraction says '2017-06'"):
        event_date(event("May 2017", "2017-06"), "events[1]")


@pytest.mark.django_db
def test_every_loaded_event_has_its_date_and_precision():
    events = Fact.objects.filter(kind="event")
    assert events.count() == 50
    assert not events.filter(date__isnull=True).exists()
    summer = events.get(as_written="summer of 2018")
    assert (summer.date, summer.date_precision, summer.date_datetime) == (
        dt.date(2018, 1, 1),
        "year",
        "2018",
    )
    # "mid-November", a year the words do not give: the editorial choice and its reason.
    november = events.get(as_written="mid-November")
    assert november.date == dt.date(2019, 11, 1)
    assert "Year not written" in november.note and "line 661" in november.note


@pytest.mark.django_db
def test_the_facts_api_filters_and_orders_events_by_date():
    analyst = token_client("events-analyst", "analyst")
    body = analyst.get(
        "/api/v1/facts/",
        {
            "kind": "event",
            "date_after": "2019-01-01",
            "date_before": "2019-12-31",
            "ordering": "-date",
            "page_size": 100,
        },
    ).json()
    dates = [r["date"] for r in body["results"]]
    assert dates and all("2019-01-01" <= d <= "2019-12-31" for d in dates)
    assert dates == sorted(dates, reverse=True)
    assert body["count"] == Fact.objects.filter(kind="event", date__year=2019).count()
    row = next(r for r in body["results"] if r["as_written"] == "Q4 2018/19")
    assert (row["date"], row["date_precision"]) == ("2019-01-01", "quarter")


@pytest.mark.django_db
def test_a_bad_date_is_a_json_400_naming_the_parameter():
    analyst = token_client("events-analyst-2", "analyst")
    response = analyst.get("/api/v1/facts/", {"date_after": "summer"})
    assert response.status_code == 400
    assert "date" in str(response.json())


@pytest.mark.django_db
def test_the_overview_shows_the_events_in_date_order_with_their_dates(commissioner_client):
    html = html_lib.unescape(commissioner_client.get("/").content.decode())
    assert '<time datetime="2017-06-26">26th of June</time>: Health and Social Care Summit' in html
    assert "Q4 2018/19: Housing Liaison Officers" in html
    section = html[html.index('<h3 class="nhsuk-heading-s">Dated events</h3>') :]
    positions = [
        section.index(f": {f.text}")
        for f in Fact.objects.filter(kind="event").order_by("date", "order")
    ]
    assert positions == sorted(positions)
