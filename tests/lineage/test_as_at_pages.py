"""As at a date on the overview and a Place's page: the Places, organisations and boards in
being that day, a banner saying so with a link back to today, links that keep the date, and a
400 page naming the parameter for a value that is not a date."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from governance.models import Board, Organisation
from places.lineage import StatedSource, place_move
from places.models import Place
from tests.factories import SystemFactory

pytestmark = pytest.mark.django_db

STP = "better-health-better-care-better-value-board"
PEG = "partnership-executive-group"
WN = "warwickshire-north"
WN_EXEC = "warwickshire-north-place-executive"


@pytest.fixture
def replaced():
    """The STP Board in being until 31 August 2019, the Partnership Executive Group from the
    next day (the documents state no dates; here they are set)."""
    Board.objects.filter(slug=STP).update(valid_to=dt.date(2019, 8, 31))
    Board.objects.filter(slug=PEG).update(valid_from=dt.date(2019, 9, 1))


def _page(client, path: str, **query) -> str:
    response = client.get(path, query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_overview_as_at_a_date_shows_the_boards_in_being_that_day(
    commissioner_client, replaced
):
    before = _page(commissioner_client, "/", as_at="2019-08-31")
    after = _page(commissioner_client, "/", active_on="2019-09-01")
    for page, shown, absent in ((before, STP, PEG), (after, PEG, STP)):
        assert f"/boards/{shown}/as-at/" in page
        assert f"/boards/{absent}/" not in page
    assert "Showing the structure as at 31 August 2019" in before
    assert "Showing the structure as at 1 September 2019" in after
    # The link back to today, and today's overview without the banner.
    assert 'href="/?system=coventry-and-warwickshire">Show the structure today' in after
    today = _page(commissioner_client, "/")
    assert "Showing the structure as at" not in today
    # Links keep the date: each Place's page, each board's seats, the governance map.
    assert f'href="/places/{WN}/?as_at=2019-09-01"' in after
    assert f'href="/boards/{PEG}/as-at/?date=2019-09-01"' in after
    assert "/boards/?system=coventry-and-warwickshire&amp;as_at=2019-09-01" in after


def test_a_board_that_started_after_or_ended_before_the_date_is_absent(commissioner_client):
    board = Board.objects.get(slug=WN_EXEC)
    board.valid_from, board.valid_to = dt.date(2020, 1, 1), dt.date(2022, 3, 31)
    board.save()
    url = f"/boards/{WN_EXEC}/as-at/"
    assert url not in _page(commissioner_client, "/", as_at="2019-12-31")
    assert url in _page(commissioner_client, "/", as_at="2020-01-01")
    assert url in _page(commissioner_client, "/", as_at="2022-03-31")
    assert url not in _page(commissioner_client, "/", as_at="2022-04-01")
    # The same on the Place's page.
    assert url not in _page(commissioner_client, f"/places/{WN}/", as_at="2019-12-31")
    assert url in _page(commissioner_client, f"/places/{WN}/", as_at="2021-06-30")


def test_a_places_page_as_at_a_date(commissioner_client):
    place = Place.objects.get(slug=WN)
    gone, later = place.organisations.order_by("name")[:2]
    Organisation.objects.filter(pk=gone.pk).update(valid_to=dt.date(2019, 3, 31))
    Organisation.objects.filter(pk=later.pk).update(valid_from=dt.date(2023, 4, 1))
    kept = place.organisations.exclude(pk__in=[gone.pk, later.pk]).first()
    page = _page(commissioner_client, f"/places/{WN}/", as_at="2020-06-01")
    assert "Showing the structure as at 1 June 2020" in page
    assert f'href="/places/{WN}/">Show the structure today' in page
    assert "a Place of" in page and "Coventry and Warwickshire" in page
    assert kept.name in page
    assert gone.name not in page and later.name not in page
    assert f'href="/boards/{WN_EXEC}/as-at/?date=2020-06-01"' in page
    # The breadcrumb back to the overview keeps the date and the Place's system.
    assert 'href="/?system=coventry-and-warwickshire&amp;as_at=2020-06-01"' in page
    # Today's page is the whole Place page, without the banner.
    today = _page(commissioner_client, f"/places/{WN}/")
    assert "Showing the structure as at" not in today and 'id="metrics"' in today


def test_a_place_that_moved_is_in_each_system_on_its_own_dates(commissioner_client):
    admin = get_user_model().objects.create_superuser("as-at-admin", password=None)
    other = SystemFactory(name="Herefordshire and Worcestershire", slug="hw")
    rugby = Place.objects.get(slug="rugby")
    source = StatedSource(stated_by="A test", stated_on=dt.date(2024, 1, 1))
    place_move(
        user=admin,
        place=rugby,
        system=other,
        date=dt.date(2020, 4, 1),
        reason="test",
        source=source,
    )
    cw = "coventry-and-warwickshire"
    assert "/places/rugby/?as_at" in _page(commissioner_client, "/", system=cw, as_at="2020-03-31")
    assert "/places/rugby/?as_at" not in _page(
        commissioner_client, "/", system=cw, as_at="2020-04-01"
    )
    assert "/places/rugby/?as_at" in _page(
        commissioner_client, "/", system="hw", as_at="2020-04-01"
    )
    before = _page(commissioner_client, "/places/rugby/", as_at="2019-06-01")
    assert f"?system={cw}&amp;as_at=2019-06-01" in before
    after = _page(commissioner_client, "/places/rugby/", as_at="2021-06-01")
    assert "?system=hw&amp;as_at=2021-06-01" in after


@pytest.mark.parametrize("path", ["/", f"/places/{WN}/"])
@pytest.mark.parametrize(
    "parameter, value", [("as_at", "2019-02-30"), ("active_on", "yesterday"), ("as_at", "2019-13")]
)
def test_a_date_that_is_not_a_date_is_a_400_page_naming_the_parameter(
    commissioner_client, path, parameter, value
):
    response = commissioner_client.get(path, {parameter: value})
    assert response.status_code == 400
    page = response.content.decode()
    assert f"{parameter}: enter a real date as YYYY-MM-DD" in page
    assert "There is a problem with the web address" in page
    assert value not in page.split("<main", 1)[1].split("</main>", 1)[0]
