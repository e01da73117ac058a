"""Coventry and Warwickshire's own lineage, loaded from the documents with each line."""

from pathlib import Path

import pytest
from django.core.management import call_command

from governance.models import BoardSuccession, OrganisationSuccession

pytestmark = pytest.mark.django_db

DOCUMENTS = Path(__file__).resolve().parents[2] / "places" / "fixtures" / "documents"


def _line(succession) -> str:
    path = DOCUMENTS / succession.source_document.file_name
    return path.read_text(encoding="utf-8").splitlines()[succession.source_line - 1]


def test_the_stp_board_was_replaced_by_the_partnership_executive_group():
    s = BoardSuccession.objects.get(predecessor__key="board_stp_board")
    assert s.successor.key == "board_peg"
    assert s.kind == "replacement"
    assert s.date is None  # the documents give none
    assert s.source_line == 258
    assert "will be replaced by a new Partnership Executive Group" in _line(s)
    assert s.reason in _line(s)


def test_the_clinical_design_authority_was_superseded_by_the_clinical_forum():
    s = BoardSuccession.objects.get(predecessor__key="board_clinical_design_authority")
    assert s.successor.key == "board_clinical_forum"
    assert "The Forum will supersede the Clinical Design Authority" in _line(s)


def test_the_three_ccgs_record_only_what_the_documents_say():
    rows = OrganisationSuccession.objects.filter(
        predecessor__key__in=["org_crccg", "org_swccg", "org_wnccg"]
    )
    assert rows.count() == 3
    for s in rows:
        # No successor and no date are named in the documents; nothing is invented.
        assert s.successor_id is None and s.date is None
        assert s.reason in _line(s)
        assert "no successor" in s.note
    sw = rows.get(predecessor__key="org_swccg")
    assert "identified merger as the option preferred" in _line(sw)


def test_every_loaded_succession_cites_a_document_line_and_a_reload_changes_nothing():
    for s in [*BoardSuccession.objects.all(), *OrganisationSuccession.objects.all()]:
        assert s.source_document_id and s.source_line and s.reason in _line(s)
    before = BoardSuccession.objects.count() + OrganisationSuccession.objects.count()
    call_command("load_cw_ics", verbosity=0)
    assert BoardSuccession.objects.count() + OrganisationSuccession.objects.count() == before == 6
