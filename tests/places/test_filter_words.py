"""Issue #19: every list page's filters speak plainly, and every choice starts with "Any"."""

import re

import pytest

pytestmark = pytest.mark.django_db

LIST_PAGES = ["/boards/", "/boards/risks/", "/boards/commitments/", "/metrics/"]
DEVELOPER_WORDS = re.compile(
    r"slug|is greater than|is less than|Unknown|-{3,}|_|\bModified at\b", re.IGNORECASE
)


def _filter_form(html: str) -> str:
    start = html.index('role="search"')
    return html[start : html.index("</form>", start)]


def _labels(form: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", t).strip() for t in re.findall(r"<label[^>]*>(.*?)</label>", form, re.S)
    ]


def _options(form: str) -> list[tuple[str, list[str]]]:
    selects = re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S)
    return [
        (name, re.findall(r"<option[^>]*>(.*?)</option>", body, re.S)) for name, body in selects
    ]


@pytest.mark.parametrize("url", LIST_PAGES)
def test_filters_speak_plainly_and_offer_any(commissioner_client, url):
    form = _filter_form(commissioner_client.get(url).content.decode())
    for label in _labels(form):
        assert not DEVELOPER_WORDS.search(label), f"{url}: label {label!r}"
    for name, options in _options(form):
        assert options[0] == "Any", f"{url}: {name} starts with {options[0]!r}"
        assert options.count("Any") == 1, f"{url}: {name} offers {options}"
        for option in options:
            assert not re.search(r"-{3,}|Unknown", option), f"{url}: {name} offers {option!r}"


def test_yes_no_filters_offer_any_yes_no_and_still_filter(commissioner_client):
    form = _filter_form(commissioner_client.get("/boards/risks/").content.decode())
    assert dict(_options(form))["escalated"] == ["Any", "Yes", "No"]
    assert commissioner_client.get("/boards/risks/", {"escalated": "true"}).status_code == 200
    assert commissioner_client.get("/boards/risks/", {"escalated": ""}).status_code == 200
