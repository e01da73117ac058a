"""The shared NHS.UK pagination include: numbered links that keep the list's other query
parameters, with the pages far from the current one elided."""

import re

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def links(html: str) -> list[str]:
    """The numbered items in order: page numbers, "…" for an elided run."""
    items = re.findall(r'<li class="nhsuk-pagination__item[^"]*">(.*?)</li>', html)
    return ["…" if item == "&hellip;" else re.sub(r"<[^>]+>", "", item) for item in items]


def render(number: int, pages: int = 70, **context) -> str:
    page_obj = Paginator(range(pages), 1).page(number)
    return render_to_string(
        "includes/pagination.html", {"page_obj": page_obj, "label": "things", **context}
    )


def test_a_long_list_names_the_ends_and_the_neighbours_of_the_current_page():
    assert links(render(1)) == ["1", "2", "…", "70"]
    assert links(render(8)) == ["1", "…", "7", "8", "9", "…", "70"]
    assert links(render(70)) == ["1", "…", "69", "70"]
    html = render(8)
    assert html.count('aria-current="page"') == 1 and 'aria-label="Page 8" aria-current' in html
    assert 'class="nhsuk-pagination__item nhsuk-pagination__item--ellipsis">&hellip;</li>' in html
    assert 'href="?page=7" rel="prev"' in html and 'href="?page=9" rel="next"' in html


def test_a_short_list_names_every_page():
    assert links(render(2, pages=4)) == ["1", "2", "3", "4"]
    assert render(1, pages=1).strip() == ""


def test_links_keep_the_other_parameters_of_the_request_or_of_a_cached_fragment():
    request = RequestFactory().get("/boards/", {"q": "board", "page": "8"})
    page_obj = Paginator(range(70), 1).page(8)
    html = render_to_string(
        "includes/pagination.html", {"page_obj": page_obj, "label": "boards"}, request=request
    )
    assert 'href="?q=board&amp;page=9" rel="next"' in html
    # Rendered without a request (a cached fragment): the parameters given, and an anchor.
    html = render(8, page_query="category=quality", anchor="#tiles")
    assert 'href="?category=quality&amp;page=70#tiles" aria-label="Page 70"' in html
