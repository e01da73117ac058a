"""Boards seated as the documents say: every organisation a group the documents name for a
board resolves to (the editorial file's ``seat_groups``) has a seat, citing the group's line,
its note saying it is an editorial choice."""

import json
from pathlib import Path

import pytest

from governance.models import Membership

pytestmark = pytest.mark.django_db

EDITORIAL = Path(__file__).resolve().parents[2] / "places" / "fixtures" / "cw_ics.editorial.json"


def seated(board_key: str) -> set[str]:
    return set(
        Membership.objects.filter(board__key=board_key).values_list(
            "on_behalf_of__abbreviation", flat=True
        )
    )


def test_every_organisation_of_every_resolved_group_has_a_seat_with_its_source():
    groups = json.loads(EDITORIAL.read_text(encoding="utf-8"))["seat_groups"]
    for board, resolutions in groups.items():
        for group in resolutions:
            for org in group["organisations"]:
                seat = Membership.objects.select_related("source_document").get(
                    board__key=board, on_behalf_of__key=org
                )
                assert seat.source_document_id is not None and seat.source_line, (board, org)
                if seat.label == group["group"]:
                    assert seat.source_line == group["source"]["line"]
                    assert "editorial choice" in seat.note and group["reason"] in seat.note


def test_the_partnership_board_seats_the_nhs_the_councils_and_the_regulators():
    assert {
        "NHSE",
        "NHSI",
        "PHE",
        "CRCCG",
        "SWCCG",
        "WNCCG",
        "UHCW",
        "GEH",
        "SWFT",
        "CWPT",
        "WCC",
    } <= (seated("board_partnership_board"))
    assert Membership.objects.filter(
        board__key="board_partnership_board", on_behalf_of__name="Coventry City Council"
    ).exists()


def test_the_provider_alliance_seats_its_nhs_providers_and_peg_invites_nhse_i():
    assert {"UHCW", "GEH", "SWFT", "CWPT"} <= seated("board_provider_alliance")
    roles = dict(
        Membership.objects.filter(
            board__key="board_peg", on_behalf_of__abbreviation__in=["NHSE", "NHSI"]
        ).values_list("on_behalf_of__abbreviation", "role")
    )
    assert roles == {"NHSE": "attendee", "NHSI": "attendee"}
    assert Membership.objects.filter(board__key="board_clinical_forum").count() >= 10


def test_the_four_place_executives_report_to_the_partnership_board_citing_the_line():
    from governance.models import ReportingLine

    lines = ReportingLine.objects.filter(
        reports_to__key="board_partnership_board",
        board__key__in=[
            "board_coventry_place_executive",
            "board_rugby_partnership_executive",
            "board_sw_place_coordination_group",
            "board_wnpe",
        ],
    ).select_related("source_document")
    assert lines.count() == 4
    assert {(line.source_document.key, line.source_line) for line in lines} == {("doc_004", 270)}


def test_the_workforce_board_seats_the_nhs_providers_and_councils_it_names():
    # "Membership includes NHS providers, education and local authority representation along
    # with primary care" (5-year plan, line 468).
    assert {"UHCW", "GEH", "SWFT", "CWPT", "WCC"} <= seated("board_lwab")
    assert Membership.objects.filter(
        board__key="board_lwab", on_behalf_of__name="Coventry City Council"
    ).exists()


def test_the_ambulance_service_is_seated_on_no_board_for_a_group_and_the_seats_say_why():
    # The documents name WMAS only as a pilot's partner and a Digital Transformation Board
    # external group; where they name "NHS providers" it is not among them, and the seat's
    # note gives the lines that show it.
    assert not Membership.objects.filter(on_behalf_of__key="org_wmas").exists()
    note = Membership.objects.get(
        board__key="board_provider_alliance", on_behalf_of__key="org_swft"
    )
    assert "line 735" in note.note and "line 604" in note.note


def test_the_place_executive_choice_records_its_reasons_from_the_documents():
    choice = json.loads(EDITORIAL.read_text(encoding="utf-8"))["place_reporting"]
    assert "board_sw_place_coordination_group" in choice["boards"]
    assert "line 117" in choice["reason"] and "Joint Delivery Board" in choice["reason"]
