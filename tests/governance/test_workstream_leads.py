"""A workstream's leads, as the documents name them: each loaded as the kind of record it is
(an organisation, a board, or a post whose holder is not named) with the line that says so,
shown with the workstream on the overview and in ``/api/v1/facts/``."""

import copy
import html as html_lib
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from governance.models import Board, WorkstreamLead
from places.extraction import ExtractionError, convert
from places.models import Fact
from tests.api.conftest import token_client

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "places" / "fixtures"
EXTRACTION = ROOT.parent / "shared" / "data" / "cw_ics.json"


def editorial() -> dict:
    return json.loads((FIXTURES / "cw_ics.editorial.json").read_text(encoding="utf-8"))


@pytest.mark.django_db
def test_every_lead_the_editors_read_is_loaded_with_its_words_on_its_cited_line():
    chosen = editorial()["workstream_leads"]["leads"]
    leads = WorkstreamLead.objects.select_related("source_document", "workstream")
    assert leads.count() == len(chosen) == 5
    for lead in leads:
        assert lead.workstream.kind == "workstream"
        document = FIXTURES / "documents" / lead.source_document.file_name
        line = document.read_text(encoding="utf-8").splitlines()[lead.source_line - 1]
        assert lead.as_written and lead.as_written in line, lead.key


@pytest.mark.django_db
def test_each_lead_is_the_kind_of_record_it_is():
    kinds = {
        (lead.workstream.key, lead.lead_kind, lead.lead_name)
        for lead in WorkstreamLead.objects.select_related(
            "workstream", "organisation", "board", "person"
        )
    }
    assert ("ws-workforce", "board", "Local Workforce Action Board") in kinds
    assert (
        "ci-out-of-hospital",
        "organisation",
        "South Warwickshire NHS Foundation Trust",
    ) in kinds
    assert (
        "ws-sis-mopi",
        "person",
        "System Lead for Medicines Optimisation and Pharmacy Integration",
    ) in kinds


@pytest.mark.django_db
def test_a_lead_leads_a_workstream_and_nothing_else():
    lead = WorkstreamLead.objects.first()
    lead.workstream = Fact.objects.filter(kind="health").first()
    with pytest.raises(ValidationError, match="A lead leads a workstream"):
        lead.full_clean()


@pytest.mark.django_db
def test_the_facts_api_gives_each_workstream_its_leads_with_their_sources():
    analyst = token_client("leads-analyst", "analyst")
    body = analyst.get("/api/v1/facts/", {"kind": "workstream", "page_size": 500}).json()
    rows = {r["key"]: r for r in body["results"]}
    (workforce,) = rows["ws-workforce"]["leads"]
    assert workforce["lead_kind"] == "board" and workforce["board"]["slug"]
    assert workforce["source"]["line"] == 468 and workforce["source"]["document"] == "doc_002"
    providers = rows["ci-out-of-hospital"]["leads"]
    assert {lead["organisation"]["abbreviation"] for lead in providers} == {"SWFT", "CWPT"}
    assert all(
        lead["role"] == "current lead provider for the Out of Hospital contracts"
        for lead in providers
    )
    (post,) = rows["ws-sis-mopi"]["leads"]
    assert post["lead_kind"] == "person" and post["person"] is None and post["organisation"] is None
    assert "do not name" in post["note"]
    # A workstream whose lead the documents do not name, and any other fact: no leads.
    assert rows["ws-cancer"]["leads"] == []
    other = analyst.get("/api/v1/facts/", {"kind": "health", "page_size": 1}).json()
    assert other["results"][0]["leads"] == []


@pytest.mark.django_db
def test_the_facts_endpoint_is_listed_and_its_schema_names_the_leads(client):
    analyst = token_client("leads-analyst-2", "analyst")
    assert analyst.get("/api/v1/").json()["facts"].endswith("/api/v1/facts/")
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "WorkstreamLead" in schema and '"leads"' in schema


@pytest.mark.django_db
def test_the_overview_shows_each_workstream_with_its_leads(commissioner_client):
    html = html_lib.unescape(commissioner_client.get("/").content.decode())
    lead = WorkstreamLead.objects.select_related("board").get(board__key="board_lwab")
    assert (
        f'<strong>Lead:</strong> <a href="{lead.board.get_absolute_url()}">'
        "Local Workforce Action Board</a> (leadership)"
    ) in html
    assert (
        "Lead:</strong> Coventry and Warwickshire Partnership NHS Trust (current lead provider"
        in html
    )
    assert "the documents do not name who holds it" in html
    assert html.count("Source: 5-year plan, line 468") >= 1


@pytest.mark.skipif(not EXTRACTION.exists(), reason="the facts base is outside the repository")
def test_a_lead_of_an_unknown_workstream_is_refused_naming_the_row():
    extraction = json.loads(EXTRACTION.read_text(encoding="utf-8"))
    choices = copy.deepcopy(editorial())
    choices["workstream_leads"]["leads"][1]["workstream"] = "ws_nowhere"
    with pytest.raises(ExtractionError, match=r"workstream_leads\[1\]: no workstream 'ws_nowhere'"):
        convert(extraction, choices)


@pytest.mark.django_db
def test_the_board_page_names_the_workstream_the_board_leads(commissioner_client):
    lead = WorkstreamLead.objects.select_related("board").get(board__key="board_lwab")
    html = html_lib.unescape(
        commissioner_client.get(lead.board.get_absolute_url()).content.decode()
    )
    section = html[html.index('<h2 id="workstreams">Workstreams this board leads</h2>') :]
    assert "<strong>Workforce</strong> (leadership): “The leadership for this resides" in section
    assert "Source: 5-year plan, line 468" in section
    # A board that leads no workstream has no such section.
    peg = Board.objects.get(key="board_peg")
    assert (
        "Workstreams this board leads"
        not in commissioner_client.get(peg.get_absolute_url()).content.decode()
    )
