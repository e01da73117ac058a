"""/boards/: the governance structure by level and Place, the reporting lines drawn as nested
lists, filtered with the API's BoardFilterSet, in a fixed number of queries."""

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.filtersets import BoardFilterSet
from governance.list_views import reporting_tree
from governance.models import Board, ReportingLine
from places.models import Place
from tests.factories import BoardFactory, MembershipFactory, PersonFactory
from tests.places.dashboard_data import sign_in_commissioner

pytestmark = pytest.mark.django_db


@pytest.fixture
def commissioner_client(client):
    return sign_in_commissioner(client)


class TreeParser(HTMLParser):
    """The boards of the nested 'who reports to whom' list, each with the boards above it."""

    def __init__(self):
        super().__init__()
        self.in_tree = 0
        self.stack: list[str | None] = []  # one entry per open <li>: its board link
        self.ancestors: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ul" and attrs.get("class") == "board-tree":
            self.in_tree += 1
        elif self.in_tree and tag == "li":
            self.stack.append(None)
        elif self.in_tree and tag == "a" and self.stack and self.stack[-1] is None:
            self.stack[-1] = attrs["href"]
            self.ancestors[attrs["href"]] = [a for a in self.stack[:-1] if a]

    def handle_endtag(self, tag):
        if self.in_tree and tag == "li":
            self.stack.pop()
        elif self.in_tree and tag == "ul":
            self.in_tree -= 1


def tree_of(html: str) -> dict[str, list[str]]:
    parser = TreeParser()
    parser.feed(html)
    assert parser.in_tree == 0 and not parser.stack, "the nested lists are not balanced"
    return parser.ancestors


def test_boards_are_grouped_by_level_and_place(commissioner_client):
    html = commissioner_client.get("/boards/").content.decode()
    by_level = html[html.index('id="by-level"') :]
    for level in ("System (", "Place (", "Local authority area ("):
        assert level in by_level
    assert "Rugby — place level" in by_level
    assert "Warwickshire North — place level" in by_level
    assert "Not tied to one Place — system level" in by_level
    assert f"The governance structure: {Board.objects.count()} boards" in html


def test_reporting_lines_are_drawn_as_nested_lists(commissioner_client):
    html = commissioner_client.get("/boards/").content.decode()
    tree = tree_of(html)
    assert len(tree) == Board.objects.count()
    peg = "/boards/partnership-executive-group/"
    partnership = "/boards/coventry-and-warwickshire-health-and-care-partnership-board/"
    assert tree[partnership] == []
    assert tree[peg] == [partnership]
    # Deeper levels: a LWAB sub-group under the LWAB, under the first board the LWAB reports to.
    lwab = Board.objects.get(slug="local-workforce-action-board")
    above_lwab = lwab.reporting_lines.first().reports_to.get_absolute_url()
    assert tree["/boards/lwab-sub-group-workforce-planning/"][-2:] == [
        above_lwab,
        lwab.get_absolute_url(),
    ]
    assert len(tree["/boards/lwab-sub-group-workforce-planning/"]) >= 3
    # A board with two reporting lines sits under the first and names the other.
    board = Board.objects.get(slug="better-together-programme-board")
    first, second = [line.reports_to for line in board.reporting_lines.all()]
    assert tree[board.get_absolute_url()][-1] == first.get_absolute_url()
    item = html[html.index(f'href="{board.get_absolute_url()}"') :]
    assert "also reports to" in item[:600] and second.name in item[:600]


def test_a_loop_of_reporting_lines_still_lists_every_board():
    rows = [
        {"id": 1, "name": "A", "level": "system", "reports_to": [{"id": 2}]},
        {"id": 2, "name": "B", "level": "system", "reports_to": [{"id": 1}]},
        {"id": 3, "name": "C", "level": "system", "reports_to": []},
    ]
    items = reporting_tree(rows)
    assert sorted(i["id"] for i in items) == [1, 2, 3]
    opened = sum(i["opens"] for i in items)
    assert opened == sum(len(i["closes"]) for i in items)


def test_filters_are_the_api_filterset(commissioner_client):
    response = commissioner_client.get("/boards/", {"level": "place", "place": "rugby"})
    assert isinstance(response.context["filter"], BoardFilterSet)
    html = response.content.decode()
    rugby = set(Board.objects.filter(level="place", place__slug="rugby"))
    assert set(tree_of(html)) == {b.get_absolute_url() for b in rugby}
    assert f"{len(rugby)} boards match the filters" in html
    # The same result as the filterset alone gives (the API's filtering).
    expected = BoardFilterSet({"level": "place", "place": "rugby"}, Board.objects.all()).qs
    assert set(expected) == rugby


def test_search_and_reports_to_filters(commissioner_client):
    html = commissioner_client.get("/boards/", {"q": "lwab"}).content.decode()
    assert "Lwab" in html or "LWAB" in html
    assert "/boards/clinical-forum/" not in html[html.index('id="structure"') :]
    html = commissioner_client.get(
        "/boards/", {"reports_to": "local-workforce-action-board"}
    ).content.decode()
    children = ReportingLine.objects.filter(reports_to__slug="local-workforce-action-board")
    assert set(tree_of(html)) == {line.board.get_absolute_url() for line in children}


def test_an_unknown_place_is_an_error_message_not_a_crash(commissioner_client):
    response = commissioner_client.get("/boards/", {"place": "atlantis"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem with the filters" in html
    assert "nhsuk-error-message" in html


def test_rows_show_chair_seats_and_vacancies(commissioner_client):
    place = Place.objects.get(slug="rugby")
    board = BoardFactory(
        system=place.system, level="place", place=place, name="Test Rugby Assembly"
    )
    MembershipFactory(board=board, role="chair", person=PersonFactory(name="Ada Chair"))
    MembershipFactory(board=board, person=None, role="member")
    html = commissioner_client.get("/boards/", {"q": "Test Rugby Assembly"}).content.decode()
    row = html[html.index('id="by-level"') :]
    assert "Ada Chair" in row
    assert "2 (1 vacant)" in row


def test_board_list_queries_do_not_grow_with_the_boards(commissioner_client):
    def queries(params=None):
        with CaptureQueriesContext(connection) as ctx:
            assert commissioner_client.get("/boards/", params or {}).status_code == 200
        return len(ctx.captured_queries)

    before = queries(), queries({"place": "rugby", "level": "place"})
    system = Place.objects.get(slug="rugby").system
    parent = Board.objects.get(slug="partnership-executive-group")
    for i in range(40):
        board = BoardFactory(system=system, level="place", place=Place.objects.get(slug="rugby"))
        ReportingLine.objects.create(board=board, reports_to=parent)
        MembershipFactory(board=board, role="chair" if i % 2 else "member")
        MembershipFactory(board=board, person=None)
    after = queries(), queries({"place": "rugby", "level": "place"})
    assert after == before
    # Session, user and role (2-3); the first system by name and its lookup by slug (2); the
    # System, Place and Board choices of the filter form (3); the system's boards with their
    # seat counts, chairs and reporting lines (3); the session saved (3 on SQLite). The place
    # filter (every system, paged) looks up its slug and counts the boards it finds instead.
    assert before[0] <= 11 and before[1] == before[0], before


def test_the_list_shows_one_system_at_a_time_and_searches_and_pages_across_all(
    commissioner_client,
):
    import re
    from unittest import mock

    from governance import list_views
    from places.models import System

    cw = System.objects.get()
    other = System.objects.create(key="aaa-other", slug="aaa-other", name="AAA Other System")
    BoardFactory(system=other, name="Zebra Assurance Board", slug="zebra-assurance-board")
    zebra = "/boards/zebra-assurance-board/"
    clinical = "/boards/clinical-forum/"

    # No filter: the first system by name, and only its boards.
    html = commissioner_client.get("/boards/").content.decode()
    assert set(tree_of(html)) == {zebra}
    assert 'value="aaa-other" selected' in html and "1 board named" in html
    assert "in AAA Other System" in html
    # A system chosen: its boards, all of them on one page.
    html = commissioner_client.get("/boards/", {"system": cw.slug}).content.decode()
    assert set(tree_of(html)) == {b.get_absolute_url() for b in cw.boards.all()}
    assert zebra not in html and "nhsuk-pagination" not in html
    # A search without a system searches every system.
    html = commissioner_client.get("/boards/", {"q": "zebra"}).content.decode()
    assert set(tree_of(html)) == {zebra} and "1 board match the filters" in html
    html = commissioner_client.get("/boards/", {"q": "clinical forum"}).content.decode()
    assert clinical in tree_of(html)
    # Every system, paged: the pages keep the filters and between them list every board once,
    # each system's reporting tree under its name.
    everything = {b.get_absolute_url() for b in Board.objects.all()}
    with mock.patch.object(list_views, "BOARDS_PER_PAGE", 5):
        seen: list[str] = []
        params = {"system": "", "status": ""}
        pages = 0
        while params is not None:
            html = commissioner_client.get("/boards/", params).content.decode()
            pages += 1
            seen += list(tree_of(html))
            nav = re.search(r'href="\?([^"]+)" rel="next"', html)
            params = (
                dict(p.split("=", 1) for p in nav.group(1).replace("&amp;", "&").split("&"))
                if nav
                else None
            )
            if params:
                assert params["system"] == "" and params["status"] == ""
        assert pages == -(-len(everything) // 5)
        assert sorted(seen) == sorted(everything)
        first = commissioner_client.get("/boards/", {"system": ""}).content.decode()
        assert "<h3>AAA Other System</h3>" in first and f"<h3>{cw.name}</h3>" in first
        assert 'aria-label="Pages of boards"' in first
        assert commissioner_client.get("/boards/", {"system": "", "page": 999}).status_code == 404
