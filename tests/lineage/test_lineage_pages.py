"""Lineage and as-at on the pages: a board's predecessors and successors, the governance map
drawn for a date, the changes-to-the-structure page, and the administrators' forms (refused for
everyone else, with nothing written)."""

import datetime as dt

import pytest

from governance.models import Board, BoardSuccession, Organisation, OrganisationSuccession
from places.lineage import places_follow_moves
from places.models import Cluster, Place, PlaceInSystem
from tests.factories import OrganisationFactory, SystemFactory

pytestmark = pytest.mark.django_db

STP = "better-health-better-care-better-value-board"
PEG = "partnership-executive-group"


def _date(prefix: str, day: dt.date) -> dict:
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def test_a_boards_page_shows_its_successor_with_the_documents_line(commissioner_client):
    page = commissioner_client.get(f"/boards/{STP}/").content.decode()
    assert 'id="lineage"' in page
    assert 'Successor: <a href="/boards/partnership-executive-group/">' in page
    assert "will be replaced by a new Partnership Executive Group" in page
    assert "Date not stated in the source" in page
    assert "Source: " in page and "line 258" in page
    # No link to record a change for a commissioner.
    assert "Record a merger" not in page


def test_the_successors_page_shows_its_predecessor(commissioner_client):
    page = commissioner_client.get(f"/boards/{PEG}/").content.decode()
    assert f'Predecessor: <a href="/boards/{STP}/">' in page


def test_the_governance_map_drawn_for_a_date(commissioner_client):
    Board.objects.filter(slug=STP).update(valid_to=dt.date(2019, 8, 31))
    Board.objects.filter(slug=PEG).update(valid_from=dt.date(2019, 9, 1))
    before = commissioner_client.get("/boards/?as_at=2019-08-31")
    response = commissioner_client.get("/boards/?active_on=2019-09-01")
    drawn = {r["url"] for r in before.context["rows"]}
    assert f"/boards/{STP}/" in drawn and f"/boards/{PEG}/" not in drawn
    drawn = {r["url"] for r in response.context["rows"]}
    assert f"/boards/{STP}/" not in drawn and f"/boards/{PEG}/" in drawn
    after = response.content.decode()
    assert "as on 1 September 2019" in after
    # A date alone still shows one system (not a search across every system).
    assert "in Coventry and Warwickshire" in after


def test_an_invalid_date_on_the_boards_page_is_named(commissioner_client):
    page = commissioner_client.get("/boards/?as_at=2019-02-30").content.decode()
    assert "There is a problem" in page or "nhsuk-error-message" in page
    assert "In force on" in page


def test_the_changes_page_lists_cw_lineage(commissioner_client):
    page = commissioner_client.get("/structure/").content.decode()
    assert "Changes to the structure" in page
    assert "The Forum will supersede the Clinical Design Authority" in page
    assert "identified merger as the option preferred by the majority" in page
    assert "None named in the source" in page
    assert "Record a merger" not in page


@pytest.mark.parametrize("role", ["commissioner", "analyst", "board_secretary"])
@pytest.mark.parametrize(
    "url",
    ["/structure/succession/", "/structure/place-move/", "/structure/clusters/add/"],
)
def test_only_admins_reach_the_forms_and_a_refused_post_writes_nothing(page_client_as, role, url):
    client = page_client_as(role, boards=[PEG] if role == "board_secretary" else [])
    counts = (
        BoardSuccession.objects.count(),
        PlaceInSystem.objects.count(),
        Cluster.objects.count(),
    )
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x", "name": "x"}).status_code == 403
    assert (
        BoardSuccession.objects.count(),
        PlaceInSystem.objects.count(),
        Cluster.objects.count(),
    ) == counts


def test_an_admin_records_a_merger_through_the_form(page_client_as):
    admin = page_client_as("admin")
    cw = Organisation.objects.get(key="org_crccg").system
    icb = OrganisationFactory(key="org_form_icb", system=cw, name="Form ICB", abbreviation="FICB")
    ccg = Organisation.objects.get(key="org_crccg")
    url = "/structure/succession/?body=organisation"
    form = admin.get(url).content.decode()
    assert "Record a merger, split or replacement of an organisation" in form
    data = {
        "predecessor": ccg.pk,
        "successors": [icb.pk],
        "kind": "merger",
        **_date("date", dt.date(2022, 7, 1)),
        "successors_start": "yes",
        "reason": "Merged by the Health and Care Act 2022.",
        "stated_by": "Jane Example",
        **_date("stated_on", dt.date(2022, 7, 1)),
    }
    # Without a source: the error names it and nothing is written.
    refused = admin.post(url, {**data, "stated_by": ""})
    assert refused.status_code == 200
    assert "Give the source" in refused.content.decode()
    assert not OrganisationSuccession.objects.filter(successor=icb).exists()
    response = admin.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    succession = OrganisationSuccession.objects.get(predecessor=ccg, successor=icb)
    assert succession.source_text == "Stated by Jane Example on 1 July 2022"
    assert succession.history.latest().history_user == admin.user
    ccg.refresh_from_db()
    icb.refresh_from_db()
    assert (ccg.valid_to, icb.valid_from) == (dt.date(2022, 6, 30), dt.date(2022, 7, 1))
    page = admin.get("/structure/").content.decode()
    assert "Merged by the Health and Care Act 2022." in page


def test_an_admin_moves_a_place_and_records_a_cluster_through_the_forms(page_client_as):
    admin = page_client_as("admin")
    hw = SystemFactory(key="hw", slug="hw", name="Herefordshire and Worcestershire")
    rugby = Place.objects.get(key="place_rugby")
    cw = rugby.system
    response = admin.post(
        "/structure/place-move/",
        {
            "place": rugby.pk,
            "system": hw.pk,
            **_date("date", dt.date(2040, 4, 1)),
            "reason": "A boundary change.",
            "source_document": Organisation.objects.get(key="org_crccg").source_document_id,
            "source_line": 75,
        },
    )
    assert response.status_code == 302
    rugby.refresh_from_db()
    # The move is in the future: Rugby's current system stays.
    assert rugby.system.slug == "coventry-and-warwickshire"
    assert PlaceInSystem.objects.get(place=rugby, system=hw).valid_from == dt.date(2040, 4, 1)
    # On the day, the daily task makes the move Rugby's current system.
    assert places_follow_moves(dt.date(2040, 3, 31)) == 0
    assert places_follow_moves(dt.date(2040, 4, 1)) == 1
    rugby.refresh_from_db()
    assert rugby.system == hw
    assert places_follow_moves(dt.date(2040, 4, 2)) == 0
    response = admin.post(
        "/structure/clusters/add/",
        {
            "name": "West Midlands cluster",
            "systems": [hw.pk, cw.pk],
            **_date("valid_from", dt.date(2025, 10, 1)),
            "reason": "One board and executive team.",
            "stated_by": "Jane Example",
            **_date("stated_on", dt.date(2025, 9, 1)),
        },
    )
    assert response.status_code == 302
    page = admin.get("/structure/").content.decode()
    assert "West Midlands cluster" in page and "From 1 April 2040" in page


def test_the_daily_move_task_is_scheduled_and_registered():
    from django.conf import settings

    from places import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["places-follow-moves-daily"]
    assert entry["task"] == tasks.places_follow_moves_daily.name
    assert 0 < entry["options"]["expires"] < 24 * 3600
