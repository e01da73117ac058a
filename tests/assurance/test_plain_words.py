"""Commissioners read plain labels with units, each note once, and never a file key: the
overview's figures, a Place's population, /finance/ and the commitments."""

import html as htmllib
import re

import pytest

from tests.places.dashboard_data import sign_in_commissioner

pytestmark = pytest.mark.django_db

DOCUMENT_KEY = re.compile(r"\bdoc_\d+\b")


@pytest.fixture
def commissioner_client(client):
    return sign_in_commissioner(client)


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


@pytest.mark.parametrize(
    "url", ["/", "/places/rugby/", "/finance/", "/boards/commitments/", "/places/rugby/finance/"]
)
def test_no_page_names_a_document_by_its_file_key(commissioner_client, url):
    assert not DOCUMENT_KEY.search(page_text(commissioner_client, url))


def test_the_overview_labels_figures_in_the_documents_words(commissioner_client):
    text = page_text(commissioner_client, "/")
    assert "Gp practices" not in text and "Jsna geographies" not in text
    assert "GP practices 127" in text
    assert "Family hub geographies in Coventry 8" in text


def test_a_place_shows_a_share_as_its_sentence_not_as_population(commissioner_client):
    text = page_text(commissioner_client, "/places/rugby/")
    assert "Population 84.1" not in text
    assert "the 'white British' ethnic group accounting for 84.1% of the population" in text
    # The note on Rugby's housing growth names the document by its short title.
    assert "Place descriptions prints 'by 20301'" in text


def test_finance_shows_units_and_says_each_note_once(commissioner_client):
    text = page_text(commissioner_client, "/finance/")
    assert "(54,246) (deficit)" not in text
    assert "£54,246,000 deficit" in text and "£101m deficit" in text
    # The note shared by the three areas' positions, once, under "About these figures".
    assert text.lower().count("read as a ccg footprint") == 1
    assert text.count("About these figures") >= 1
    assert text.count("not explicitly by CCG") == 1


def test_commitments_say_how_an_owner_was_chosen_once_per_programme(commissioner_client):
    response = commissioner_client.get("/boards/commitments/")
    html = response.content.decode()
    text = page_text(commissioner_client, "/boards/commitments/")
    programmes = html.count('<h2 id="programme-')
    phrase = "reviewed the Long Term Plan ambitions"
    assert 1 <= text.count(phrase) <= programmes < 31
    assert "About these commitments" in text
