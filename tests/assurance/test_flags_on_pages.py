"""A data-quality doubt is shown on the risk, commitment and priority pages beside what cites
the doubted line, in the same words as everywhere else (``places.selectors.QualityFlags``)."""

import html as html_lib

import pytest

from assurance.models import Commitment, Risk
from places.models import DataQualityFlag, Priority

pytestmark = pytest.mark.django_db


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return html_lib.unescape(response.content.decode())


def shows(flag: DataQualityFlag, html: str) -> bool:
    """The flag in full, as readers see it the first time a page shows it."""
    return "<strong>Data quality:</strong> " + flag.issue in html and (
        f"The portal: {flag.handling}." in html
    )


def row_of(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[start : html.index("</tr>", start)]


def test_a_commitment_citing_a_doubted_line_shows_the_doubt_once_then_a_reminder(
    commissioner_client,
):
    # The outpatient appointments' year: the planned-care commitments cite its line.
    flag = DataQualityFlag.objects.get(key="dq-outpatient-year")
    cited = Commitment.objects.filter(key__startswith="ltp-short-waits-for-planned-care")
    assert cited.count() == 3
    html = page(commissioner_client, "/boards/commitments/")
    rows = sorted(
        (row_of(html, f'id="commitment-{c.key}"') for c in cited), key=lambda r: html.index(r)
    )
    # In full beside the first, a reminder beside the others.
    assert shows(flag, rows[0])
    assert html.count(flag.issue) == 1
    for row in rows[1:]:
        assert "the same doubt about these sources as noted above" in row


def test_a_priority_citing_a_doubted_line_shows_the_doubt_on_its_page_and_its_places(
    commissioner_client,
):
    flag = DataQualityFlag.objects.get(key="dq-missing-graphics")
    priority = Priority.objects.get(key="sw-prio-hwb-partnership")
    assert shows(flag, page(commissioner_client, f"/outcomes/priorities/{priority.key}/"))
    html = page(commissioner_client, "/places/south-warwickshire/")
    assert shows(flag, row_of(html, f"<strong>{priority.title}</strong>"))


def test_a_risk_citing_a_doubted_line_shows_the_doubt_on_its_page_and_in_the_register(
    commissioner_client,
):
    risk = Risk.objects.filter(source_document__isnull=False, source_line__isnull=False).first()
    assert "Data quality:" not in page(commissioner_client, risk.get_absolute_url())
    flag = DataQualityFlag.objects.create(
        key="dq-test-risk-line",
        system_id=risk.system_id,
        issue="The risk's line is printed twice.",
        handling="kept once",
        source_document_id=risk.source_document_id,
        source_line=risk.source_line,
    )
    assert shows(flag, page(commissioner_client, risk.get_absolute_url()))
    register = page(commissioner_client, "/boards/risks/")
    assert shows(flag, row_of(register, f'href="{risk.get_absolute_url()}"'))
