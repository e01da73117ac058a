"""Links to pages addressed by a key name their system: with two systems sharing every key,
each link on a risk's, a priority's, a commitment's, a person's, a board's and a Place's page
opens the row of the page's own system; a key asked for without a system lists the systems
that have it; a user of one system is never asked."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import resolve

from assurance.models import Commitment, PriorityOutcome, Risk
from governance.models import Board, Membership, Person
from governance.services import role_grant
from places.models import Outcome, Place, Priority

CW, EN = "coventry-and-warwickshire", "eastmoor-and-northvale"

pytestmark = pytest.mark.django_db

PRIORITY = "cov-prio-frailty"
LINK = re.compile(r'(href|action)="([^"]+)"')


def _client(username: str, role: str, **grant) -> Client:
    client = Client()
    client.force_login(role_grant(username=username, role=role, **grant).user)
    return client


def _links(page: str, attribute: str = "href") -> set[str]:
    """The portal's own links (or form targets) on ``page``, but for static files."""
    found = {html.unescape(url) for attr, url in LINK.findall(page) if attr == attribute}
    return {u for u in found if u.startswith("/") and not u.startswith("/static/")}


def _system_named(url: str) -> str | None:
    """The system ``url`` names, "" for none; None for a page not addressed by a key."""
    parts = urlsplit(url)
    if "key" not in resolve(parts.path).kwargs:
        return None
    return parse_qs(parts.query).get("system", [""])[0]


def _pages(system) -> list[str]:
    """A risk's, a priority's, a person's, a board's and a Place's page of ``system``, and the
    commitment and outcome lists at one of theirs."""
    seat = (
        Membership.objects.filter(board__system=system, person__isnull=False, end_date=None)
        .select_related("board", "person")
        .order_by("id")
        .first()
    )
    # The documents give no risk an owner: the board with named members owns one here, so that
    # its page links to a risk as well as to people and priorities.
    risk = Risk.objects.filter(system=system).order_by("key").first()
    risk.owner_board = seat.board
    risk.save(update_fields=["owner_board"])
    return [
        risk.get_absolute_url(),
        Priority.objects.get(system=system, key=PRIORITY).get_absolute_url(),
        seat.person.get_absolute_url(),
        seat.board.get_absolute_url(),
        Place.objects.filter(system=system).order_by("key").first().get_absolute_url(),
        Commitment.objects.filter(system=system).first().get_absolute_url(),
        Outcome.objects.filter(system=system).first().get_absolute_url(),
    ]


def _check_links(client: Client, system) -> int:
    """Every key-addressed link and form on ``system``'s pages names ``system``; each link
    opens its page (200) and each form's target answers a GET without asking which system."""
    checked = 0
    for url in _pages(system):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for attribute, opens in (("href", (200,)), ("action", (200, 302, 405))):
            for link in _links(page, attribute):
                named = _system_named(link)
                if named is None:
                    continue
                assert named == system.slug, (url, link)
                assert client.get(link).status_code in opens, (url, link)
                checked += 1
    return checked


def test_each_link_on_key_pages_opens_the_row_of_its_own_system(both):
    cw, en = both
    reader = _client("two-systems", "commissioner", system_slugs=[CW, EN])
    for system in (cw, en):
        assert _check_links(reader, system) > 5
    # An administrator also sees the links to change a risk, a priority's links and interests.
    editor = _client("two-systems-admin", "admin")
    assert _check_links(editor, en) > _check_links(reader, en)


def test_the_overview_links_to_the_lists_of_its_system(both):
    cw, en = both
    reader = _client("two-systems", "commissioner", system_slugs=[CW, EN])
    page = reader.get("/", {"system": EN}).content.decode()
    for name in ("finance", "outcome_list", "risk_list", "commitment_list"):
        links = [u for u in _links(page) if resolve(urlsplit(u).path).url_name == name]
        assert links and all(parse_qs(urlsplit(u).query)["system"] == [EN] for u in links), name


def test_a_key_both_systems_have_asked_without_a_system_lists_both(both):
    cw, en = both
    reader = _client("two-systems", "commissioner", system_slugs=[CW, EN])
    person = Person.objects.filter(system=en, memberships__isnull=False).first()
    for path in (
        f"/outcomes/priorities/{PRIORITY}/",
        f"/boards/risks/{Risk.objects.filter(system=en).first().key}/",
        f"/boards/people/{person.key}/interests/",
    ):
        response = reader.get(path)
        assert response.status_code == 300, path
        page = response.content.decode()
        assert "Which system do you mean?" in page
        choices = {u for u in _links(page) if urlsplit(u).path == path}
        assert choices == {f"{path}?system={CW}", f"{path}?system={EN}"}, path
        for url in choices:
            assert reader.get(url).status_code == 200
    # A form sent without its system is refused with the same choice, and writes nothing.
    editor = _client("two-systems-admin", "admin")
    outcome = Outcome.objects.filter(system=en).first()
    before = PriorityOutcome.objects.count()
    response = editor.post(
        f"/outcomes/priorities/{PRIORITY}/outcomes/add/",
        {"outcome": outcome.pk, "reason": "Named at the board"},
    )
    assert response.status_code == 300
    assert PriorityOutcome.objects.count() == before
    # The system named must be one the user may see, and have the key.
    unknown = reader.get(f"/outcomes/priorities/{PRIORITY}/", {"system": "atlantis"})
    assert unknown.status_code == 404


def test_a_user_of_one_system_is_never_asked_which(both):
    cw, en = both
    one = _client("cw-only", "commissioner", system_slugs=[CW])
    page = one.get(f"/outcomes/priorities/{PRIORITY}/")
    assert page.status_code == 200 and "Eastmoor" not in page.content.decode()
    # The other system's row, named, is no page for them.
    assert one.get(f"/outcomes/priorities/{PRIORITY}/", {"system": EN}).status_code == 404
    en_priority = Priority.objects.get(system=en, key=PRIORITY)
    assert one.get(en_priority.get_absolute_url()).status_code == 404
    assert _check_links(one, cw) > 5
    # A board secretary of the second system alone, likewise.
    board = Board.objects.filter(system=en, memberships__person__isnull=False).first()
    secretary = _client("en-only-secretary", "board_secretary", board_slugs=[board.slug])
    assert secretary.get(f"/outcomes/priorities/{PRIORITY}/").status_code == 200
