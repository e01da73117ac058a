"""The board pack: built from snapshots, risks, membership changes, actions and conflicts; as a
page, a PDF (opened and read) and JSON."""

import datetime as dt
import re
import zlib
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied

from assurance.agenda_links import agenda_item_metric_link, agenda_item_risk_link
from assurance.models import Risk, RiskMetric, RiskReview
from governance import meetings as services
from governance.models import Board
from governance.services import role_grant
from metrics.models import Observation
from tests.api.conftest import token_client
from tests.assurance.risk_data import publish_summary
from tests.factories import (
    MembershipFactory,
    MetricFactory,
    OrganisationFactory,
    SeriesFactory,
)

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
BOARD = "warwickshire-north-place-executive"


def pdf_text(data: bytes) -> str:
    """The text drawn in a PDF: each FlateDecode stream inflated, the strings of its Tj runs."""
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            continue
        for run in re.findall(rb"\((.*?)(?<!\\)\)\s*Tj", content):
            run = run.replace(b"\\(", b"(").replace(b"\\)", b")").replace(b"\\\\", b"\\")
            text.append(run.decode("latin-1"))
    return "\n".join(text)


@pytest.fixture
def setting():
    board = Board.objects.get(slug=BOARD)
    secretary = role_grant(username="pack-sec", role="board_secretary", board_slugs=[BOARD]).user
    seat = MembershipFactory(board=board)
    org = OrganisationFactory(name="Acme Community Care")
    services.interest_create(
        actor=secretary,
        person=seat.person,
        organisation=org,
        description="Trustee",
        kind="non_financial_professional",
        declared_on=dt.date(2026, 1, 1),
    )
    previous = services.meeting_create(
        actor=secretary, board=board, start=dt.datetime(2026, 3, 4, 14, 0, tzinfo=LONDON)
    )
    meeting = services.meeting_create(
        actor=secretary,
        board=board,
        start=dt.datetime(2026, 6, 3, 14, 0, tzinfo=LONDON),
        title="June",
    )
    item = services.agenda_item_create(
        actor=secretary,
        meeting=meeting,
        number=1,
        title="Community services contract",
        purpose="decision",
        organisations=[org],
    )
    metric = MetricFactory(name="Delayed discharges", owner_board=board)
    calm = MetricFactory(name="Calm metric", owner_board=board)
    series = SeriesFactory(metric=metric, place=board.place or None)
    publish_summary(
        series,
        variation="concern_high",
        published_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
    )
    publish_summary(SeriesFactory(metric=calm), variation="common_cause")
    risk = Risk.objects.create(
        key="risk-discharge",
        system=board.system,
        title="Hospital flow",
        status="open",
        likelihood=4,
        impact=4,
    )
    RiskMetric.objects.create(risk=risk, metric=metric)
    RiskReview.objects.create(
        risk=risk,
        decision="changed",
        reason="Worse",
        reviewed_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
    )
    other_risk = Risk.objects.create(
        key="risk-workforce", system=board.system, title="Workforce gaps", status="open"
    )
    agenda_item_risk_link(actor=secretary, item=item, risk=other_risk)
    agenda_item_metric_link(actor=secretary, item=item, metric=metric)
    services.action_create(
        actor=secretary,
        board=board,
        meeting=previous,
        description="Report on discharge delays",
        owner="Director of Operations",
        due_date=dt.date(2026, 4, 1),
    )
    return {"board": board, "meeting": meeting, "secretary": secretary, "seat": seat}


def test_pack_page_shows_every_section(setting, client):
    client.force_login(setting["secretary"])
    meeting = setting["meeting"]
    page = client.get(f"/boards/{BOARD}/meetings/{meeting.pk}/pack/").content.decode()
    assert "Community services contract" in page
    assert "Delayed discharges" in page and "special-cause concern" in page
    assert "Calm metric" not in page
    assert "Hospital flow" in page and "Rating changed" in page
    assert "Workforce gaps" in page and "on the agenda at item 1" in page
    assert "Report on discharge delays" in page and "Overdue" in page
    assert "interest in Acme Community Care" in page
    assert f"Joined: {setting['seat'].person.name}" not in page  # seated since 2024


def test_pack_page_draws_each_metrics_spc_chart_from_its_snapshot(setting, client):
    """The chart the metric page draws, from the pack's snapshot: points, mean and limits."""
    series = SeriesFactory(
        metric=MetricFactory(name="Ambulance handovers", owner_board=setting["board"])
    )
    values = [10.0, 11.0, 9.0, 10.0, 12.0, 10.0, 11.0, 9.0, 10.0, 11.0, 10.0, 25.0]
    for month, value in enumerate(values, start=1):
        Observation.objects.create(
            series=series,
            period_start=dt.date(2023, month, 1),
            period_end=dt.date(2023, month, 28),
            value=value,
            provenance="synthetic",
        )
    summary = publish_summary(
        series, variation="concern_high", published_at=dt.datetime(2026, 5, 2, tzinfo=dt.UTC)
    )
    summary.latest_period = dt.date(2023, 12, 1)
    summary.latest_value = 25.0
    summary.points = {
        "types": "c" * 11 + "C",
        "segments": [[0, 10.3, 6.1, 14.5, 7.5, 13.1]],
        "recent": {"values": values[-6:]},
    }
    summary.save()
    client.force_login(setting["secretary"])
    page = client.get(f"/boards/{BOARD}/meetings/{setting['meeting'].pk}/pack/").content.decode()
    chart = page[page.index(f'id="series-{series.pk}-chart"') :]
    chart = chart[: chart.index("</svg>")]
    assert 'class="spc-mean"' in chart and 'data-value="10.3"' in chart
    assert 'class="spc-limit spc-limit--upper"' in chart and 'data-value="14.5"' in chart
    assert chart.count('class="spc-point') == 12 and 'data-type="C"' in chart
    assert "What the chart shows:" in page


def test_pack_pdf_opens_and_holds_the_sections(setting, client):
    client.force_login(setting["secretary"])
    meeting = setting["meeting"]
    response = client.get(f"/boards/{BOARD}/meetings/{meeting.pk}/pack.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "1. Community services contract (for decision)",
        "Wednesday 03 June 2026, 14:00 (UK time)",
        "Delayed discharges",
        "Hospital flow",
        "Report on discharge delays",
        "Acme Community Care",
    ):
        assert expected in text, (expected, text)


def test_published_pack_keeps_the_figures_the_board_saw(setting, client):
    meeting = setting["meeting"]
    client.force_login(setting["secretary"])
    client.post(f"/boards/{BOARD}/meetings/{meeting.pk}/pack/publish/")
    meeting.refresh_from_db()
    assert meeting.pack_published_at is not None
    # A later snapshot with no concern does not change the published pack.
    series = setting["board"].metrics.get(name="Delayed discharges").series.get()
    publish_summary(series, variation="common_cause")
    page = client.get(f"/boards/{BOARD}/meetings/{meeting.pk}/pack/").content.decode()
    assert "special-cause concern" in page


def test_only_editors_publish(setting, client):
    user = role_grant(username="pack-comm", role="commissioner").user
    client.force_login(user)
    response = client.post(f"/boards/{BOARD}/meetings/{setting['meeting'].pk}/pack/publish/")
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.pack_publish(actor=user, meeting=setting["meeting"].pk)


def test_pack_api_has_the_sections(setting):
    client = token_client("pack-analyst", "analyst")
    response = client.get(f"/api/v1/meetings/{setting['meeting'].pk}/pack/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert {"agenda", "metrics", "risks", "membership_changes", "actions", "conflicts"} <= set(body)
    assert [m["metric"] for m in body["metrics"]] == [
        setting["board"].metrics.get(name="Delayed discharges").code
    ]
    assert body["actions"][0]["overdue"] is True
    # Conflict prompts name members' interests: only for the board's members and editors.
    assert body["conflicts"] == []
    secretary = token_client("pack-sec", "board_secretary", [BOARD])
    assert (
        len(secretary.get(f"/api/v1/meetings/{setting['meeting'].pk}/pack/").json()["conflicts"])
        == 1
    )


def test_secretary_links_an_item_to_a_metric_and_a_risk_from_the_page(setting, client):
    meeting = setting["meeting"]
    item = meeting.items.get()
    url = f"/boards/{BOARD}/meetings/{meeting.pk}/items/{item.pk}/links/"
    commissioner = role_grant(username="pack-comm2", role="commissioner").user
    client.force_login(commissioner)
    assert client.get(url).status_code == 403
    client.force_login(setting["secretary"])
    assert "Choose a metric or a risk" in client.post(url, {}).content.decode()
    calm = setting["board"].metrics.get(name="Calm metric")
    risk = Risk.objects.get(key="risk-discharge")
    response = client.post(url, {"metric": calm.pk, "risk": risk.pk})
    assert response.status_code == 302
    assert set(item.metric_links.values_list("metric__name", flat=True)) == {
        "Delayed discharges",
        "Calm metric",
    }
    assert item.risk_links.filter(risk=risk).exists()
    page = client.get(f"/boards/{BOARD}/meetings/{meeting.pk}/pack/").content.decode()
    assert "Covers:" in page and "Calm metric" in page
    # Twice is refused, as a form error.
    again = client.post(url, {"metric": calm.pk})
    assert again.status_code == 200 and "already covers" in again.content.decode()
