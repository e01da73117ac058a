"""The risk register: ratings, escalation on the system's route, review prompts from the
metrics' latest snapshots, permissions, history, pages, the export and the commitments."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assurance import risks as services
from assurance.choices import CommitmentStatus, RiskRating, RiskStatus
from assurance.models import Commitment, EscalationRoute, Risk, RiskEscalation
from governance.models import Board
from places.models import Place, System
from tests.assurance.risk_data import publish_summary
from tests.factories import MetricFactory, SeriesFactory
from tests.governance.conftest import BOARD_A, BOARD_B

pytestmark = pytest.mark.django_db

QSG = "integrated-care-system-quality-surveillance-group"


@pytest.fixture
def admin(user_as):
    return user_as("admin")


@pytest.fixture
def owned_risk(admin, board_a):
    """A Place risk owned by secretary A's board."""
    return services.risk_create(
        actor=admin,
        system=board_a.system,
        title="Winter bed capacity",
        place=board_a.place,
        owner_board=board_a,
        reason="Raised at the Place Executive",
    )


@pytest.mark.parametrize(
    ("likelihood", "impact", "rating"),
    [
        (None, None, RiskRating.UNRATED),
        (1, 3, RiskRating.GREEN),
        (2, 2, RiskRating.AMBER),
        (3, 4, RiskRating.AMBER),
        (3, 5, RiskRating.RED),
        (5, 5, RiskRating.RED),
    ],
)
def test_rating_comes_from_the_score_in_python_and_in_the_database(
    owned_risk, admin, likelihood, impact, rating
):
    if likelihood:
        services.risk_review(
            actor=admin, risk=owned_risk, likelihood=likelihood, impact=impact, reason="Scored"
        )
    risk = Risk.objects.with_rating().get(pk=owned_risk.pk)
    assert risk.rating == rating
    assert risk.rating_value == rating


def test_the_documented_risks_load_unrated_with_their_sources():
    risks = {r.key: r for r in Risk.objects.select_related("source_document")}
    assert len([k for k in risks if k.startswith("risk-2019-")]) == 5
    assert len([k for k in risks if k.startswith("risk-2017-")]) == 5
    finance = risks["risk-2019-1"]
    assert finance.title == "Financial sustainability in the short to medium term"
    assert finance.citation == "5-year plan, line 798"
    assert finance.likelihood is None and finance.impact is None and finance.owner_board is None
    assert finance.status == RiskStatus.IDENTIFIED
    assert risks["risk-2017-3"].citation.endswith("line 232")
    assert "phrased as a need" in risks["risk-2017-5"].note
    route = EscalationRoute.objects.select_related("board").get()
    assert route.board.slug == QSG and route.citation == "5-year plan, line 717"


def test_red_escalates_on_the_route_and_a_lower_rating_de_escalates(owned_risk, admin):
    services.risk_review(actor=admin, risk=owned_risk, likelihood=4, impact=4, reason="Bad winter")
    escalation = RiskEscalation.objects.get(risk=owned_risk)
    assert escalation.board.slug == QSG
    assert escalation.escalated_by == admin
    assert "Rated red (score 16). Bad winter" == escalation.reason
    assert escalation.is_open

    # A second red rating does not escalate twice.
    services.risk_review(actor=admin, risk=owned_risk, likelihood=5, impact=4, reason="Worse")
    assert RiskEscalation.objects.filter(risk=owned_risk).count() == 1

    services.risk_review(actor=admin, risk=owned_risk, likelihood=2, impact=4, reason="Beds open")
    escalation.refresh_from_db()
    assert not escalation.is_open
    assert escalation.de_escalated_by == admin
    assert escalation.de_escalation_reason == "Rated amber (score 8). Beds open"


def test_closing_a_red_risk_de_escalates_it(owned_risk, admin):
    services.risk_review(actor=admin, risk=owned_risk, likelihood=5, impact=5, reason="Red")
    services.risk_update(actor=admin, risk=owned_risk, status=RiskStatus.CLOSED, reason="Over")
    escalation = RiskEscalation.objects.get(risk=owned_risk)
    assert escalation.de_escalation_reason.startswith("Closed. Over")


def test_without_a_route_a_red_risk_is_not_escalated(owned_risk, admin):
    EscalationRoute.objects.all().delete()
    services.risk_review(actor=admin, risk=owned_risk, likelihood=5, impact=5, reason="Red")
    assert not RiskEscalation.objects.exists()


def test_owner_secretary_may_rate_others_may_not(owned_risk, user_as):
    services.risk_review(
        actor=user_as("secretary_a"), risk=owned_risk, likelihood=2, impact=2, reason="Ok"
    )
    for name in ("secretary_b", "commissioner", "analyst"):
        with pytest.raises(PermissionDenied):
            services.risk_review(
                actor=user_as(name), risk=owned_risk, likelihood=5, impact=5, reason="No"
            )
    owned_risk.refresh_from_db()
    assert (owned_risk.likelihood, owned_risk.impact) == (2, 2)


def test_a_risk_without_an_owner_is_an_admins_to_change(user_as):
    risk = Risk.objects.get(key="risk-2019-2")
    with pytest.raises(PermissionDenied):
        services.risk_review(
            actor=user_as("secretary_a"), risk=risk, likelihood=1, impact=1, reason="x"
        )
    services.risk_review(actor=user_as("admin"), risk=risk, likelihood=1, impact=1, reason="x")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"likelihood": 6, "impact": 1, "reason": "x"}, "likelihood"),
        ({"likelihood": 0, "impact": 1, "reason": "x"}, "likelihood"),
        ({"likelihood": 2, "impact": None, "reason": "x"}, "impact"),
        ({"likelihood": 2, "impact": 2, "reason": "  "}, "reason"),
    ],
)
def test_bad_assessments_name_the_field_and_write_nothing(owned_risk, admin, changes, field):
    with pytest.raises(ValidationError) as error:
        services.risk_review(actor=admin, risk=owned_risk, **changes)
    assert field in error.value.message_dict
    assert not owned_risk.reviews.exists()
    owned_risk.refresh_from_db()
    assert owned_risk.likelihood is None


def test_every_change_is_in_the_history_with_who_and_why(owned_risk, admin):
    metric = MetricFactory()
    services.risk_metrics_set(actor=admin, risk=owned_risk, metrics=[metric], reason="Evidence")
    services.action_create(actor=admin, risk=owned_risk, description="Open ward 5", owner="COO")
    services.risk_review(actor=admin, risk=owned_risk, likelihood=3, impact=3, reason="Scored")
    services.risk_metrics_set(actor=admin, risk=owned_risk, metrics=[], reason="Not relevant")
    history = list(owned_risk.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert history[-1].history_user == admin and history[-1].history_change_reason == "Scored"
    assert owned_risk.actions.get().history.count() == 1
    from assurance.models import RiskMetric

    link_history = RiskMetric.history.filter(risk_id=owned_risk.pk).order_by("history_date")
    assert [h.history_type for h in link_history] == ["+", "-"]
    assert link_history.last().history_change_reason == "Not relevant"


def test_a_concern_in_a_linked_metric_prompts_a_review_until_someone_decides(owned_risk, admin):
    from assurance.risk_selectors import review_prompts, risks_for_pages

    place = owned_risk.place
    series = SeriesFactory(place=place)
    services.risk_metrics_set(
        actor=admin, risk=owned_risk, metrics=[series.metric], reason="Evidence"
    )
    publish_summary(series, variation="common_cause", assurance="hit_and_miss")

    def prompt():
        risk = risks_for_pages().get(pk=owned_risk.pk)
        return review_prompts([risk]).get(risk.pk, [])

    assert prompt() == []
    publish_summary(series, variation="concern_high")
    [evidence] = prompt()
    assert evidence["concern"] and evidence["metric"] == series.metric.code

    # The person decides: the rating stands, with a reason, and the prompt goes.
    review = services.risk_review(
        actor=admin, risk=owned_risk, likelihood=None, impact=None, reason="Seasonal", evidence=[]
    )
    assert review.decision == "kept"
    assert prompt() == []

    # A consistent fail published after the review prompts again.
    publish_summary(
        series,
        variation="common_cause",
        assurance="consistent_fail",
        published_at=timezone.now() + dt.timedelta(seconds=5),
    )
    [evidence] = prompt()
    assert evidence["consistent_fail"] and not evidence["concern"]


def test_a_place_risk_ignores_other_places_series(owned_risk, admin):
    from assurance.risk_selectors import review_prompts, risks_for_pages

    other = Place.objects.exclude(pk=owned_risk.place_id).first()
    series = SeriesFactory(place=other)
    services.risk_metrics_set(
        actor=admin, risk=owned_risk, metrics=[series.metric], reason="Evidence"
    )
    publish_summary(series, variation="concern_low")
    risk = risks_for_pages().get(pk=owned_risk.pk)
    assert review_prompts([risk]) == {}


# -- pages -----------------------------------------------------------------------------------


def test_register_page_filters_by_rating_board_place_and_status(
    owned_risk, admin, commissioner_client
):
    services.risk_review(actor=admin, risk=owned_risk, likelihood=5, impact=5, reason="Red")
    page = commissioner_client.get("/boards/risks/", {"rating": "red"}).content.decode()
    assert "Winter bed capacity" in page
    assert "Financial sustainability" not in page
    page = commissioner_client.get("/boards/risks/", {"board": BOARD_B}).content.decode()
    assert "Winter bed capacity" not in page
    page = commissioner_client.get(
        "/boards/risks/", {"status": "identified", "place": ""}
    ).content.decode()
    assert "Financial sustainability" in page and "Winter bed capacity" not in page
    assert "Source: 5-year plan, line 798" in page
    assert "Source: 5-year plan, line 717" in page  # the escalation route
    bad = commissioner_client.get("/boards/risks/", {"rating": "purple"}).content.decode()
    assert "There is a problem with the filters" in bad


def test_risk_page_says_what_the_source_does_not_give(commissioner_client):
    page = commissioner_client.get("/boards/risks/risk-2019-4/").content.decode()
    assert "Capacity of clinicians" in page
    assert page.count("Not given in the source") >= 4  # likelihood, impact, owner, review date
    assert "Also: 5-year plan, line 796" in page


def test_risk_page_shows_the_prompt_and_the_board_pages_list_the_escalation(
    owned_risk, admin, commissioner_client
):
    series = SeriesFactory(place=owned_risk.place)
    services.risk_metrics_set(
        actor=admin, risk=owned_risk, metrics=[series.metric], reason="Evidence"
    )
    publish_summary(series, variation="concern_high")
    page = commissioner_client.get(owned_risk.get_absolute_url()).content.decode()
    assert 'id="review-prompt"' in page
    services.risk_review(actor=admin, risk=owned_risk, likelihood=4, impact=5, reason="Worse")
    for slug in (BOARD_A, QSG):
        board_page = commissioner_client.get(f"/boards/{slug}/").content.decode()
        assert "Winter bed capacity" in board_page
        assert "Rated red (score 20). Worse" in board_page


def test_the_review_form_records_the_decision(owned_risk, client_as):
    client = client_as("secretary_a")
    url = f"/boards/risks/{owned_risk.key}/review/"
    response = client.post(url, {"likelihood": "3", "impact": "5", "reason": ""})
    assert response.status_code == 200
    assert "Enter the reason for this rating" in response.content.decode()
    response = client.post(url, {"likelihood": "3", "impact": "5", "reason": "Bed closures"})
    assert response.status_code == 302
    owned_risk.refresh_from_db()
    assert owned_risk.score == 15 and owned_risk.reviews.get().reason == "Bed closures"
    assert client_as("secretary_b").post(url, {"reason": "x"}).status_code == 403
    assert client_as("commissioner").get(url).status_code == 403


def test_a_secretary_adds_a_risk_for_their_own_board_only(client_as, board_a, board_b):
    client = client_as("secretary_a")
    data = {"title": "Estates backlog", "reason": "New", "likelihood": "", "impact": ""}
    response = client.post("/boards/risks/add/", {**data, "owner_board": board_b.pk})
    assert response.status_code == 200 and not Risk.objects.filter(title="Estates backlog")
    response = client.post("/boards/risks/add/", {**data, "owner_board": board_a.pk})
    assert response.status_code == 302
    risk = Risk.objects.get(title="Estates backlog")
    assert risk.owner_board == board_a and risk.status == RiskStatus.IDENTIFIED


def test_export_has_a_row_per_filtered_risk_with_its_source(commissioner_client):
    response = commissioner_client.get("/boards/risks/export.csv", {"status": "identified"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == Risk.objects.filter(status="identified").count()
    row = next(r for r in rows if r["key"] == "risk-2017-2")
    assert row["source"].endswith("line 231") and row["rating"] == "unrated"
    assert row["system"] == "coventry-and-warwickshire"
    assert commissioner_client.get("/boards/risks/export.csv", {"rating": "x"}).status_code == 400


def test_register_page_query_count_does_not_grow_with_risks(owned_risk, admin, commissioner_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert commissioner_client.get("/boards/risks/").status_code == 200
        return len(ctx.captured_queries)

    metric = MetricFactory()
    services.risk_metrics_set(actor=admin, risk=owned_risk, metrics=[metric], reason="x")
    before = queries()
    system = System.objects.get()
    for n in range(6):
        risk = services.risk_create(
            actor=admin, system=system, title=f"Extra {n}", reason="x", likelihood=5, impact=5
        )
        services.risk_metrics_set(actor=admin, risk=risk, metrics=[metric], reason="x")
        services.action_create(actor=admin, risk=risk, description="Do it")
    assert queries() == before


# -- commitments -----------------------------------------------------------------------------


def test_commitments_load_with_year_owner_and_derived_deadline():
    c = Commitment.objects.select_related("owner_board").get(key="ltp-cancer-2")
    assert c.programme == "Cancer" and c.target_year == "2020" and c.year_qualifier == "by"
    assert c.due_date == dt.date(2020, 12, 31)
    assert c.owner_board.key == "board_clinical_forum_subgroups"
    assert "line 450" in c.owner_note and c.citation == "5-year plan, line 456"
    assert c.status == CommitmentStatus.NOT_STATED
    mh = Commitment.objects.get(key="ltp-adult-mental-health-services-1")
    assert mh.due_date == dt.date(2024, 3, 31)
    assert Commitment.objects.get(key="ltp-cancer-1").due_date is None  # "from 2019"
    planned = Commitment.objects.get(key="ltp-short-waits-for-planned-care-3")
    assert planned.owner_board is None
    assert "by 2023" in planned.note  # the data-quality doubt about its year


def test_overdue_until_met(user_as):
    c = Commitment.objects.get(key="ltp-cancer-2")
    assert c.is_overdue(dt.date(2021, 1, 1)) and not c.is_overdue(dt.date(2020, 12, 31))
    grant_board = Board.objects.get(key="board_clinical_forum_subgroups")
    from governance.services import role_grant

    secretary = role_grant(
        username="cf-secretary", role="board_secretary", board_slugs=[grant_board.slug]
    ).user
    services.commitment_update(
        actor=secretary, commitment=c, status=CommitmentStatus.MET, note="Standard live"
    )
    c.refresh_from_db()
    assert not c.is_overdue(dt.date(2030, 1, 1))
    latest = c.history.latest()
    assert latest.history_user == secretary and latest.history_change_reason == "Standard live"
    with pytest.raises(PermissionDenied):
        services.commitment_update(
            actor=user_as("secretary_a"), commitment=c, status=CommitmentStatus.AT_RISK
        )
    with pytest.raises(ValidationError) as error:
        services.commitment_update(actor=secretary, commitment=c, status="done-ish")
    assert "status" in error.value.message_dict


def test_commitments_page_flags_overdue_and_filters(commissioner_client):
    page = commissioner_client.get("/boards/commitments/").content.decode()
    assert "Roll out of Rapid Diagnostic Centres from 2019" in page
    assert "Overdue" in page and "Source: 5-year plan, line 456" in page
    page = commissioner_client.get("/boards/commitments/", {"programme": "stroke"}).content
    assert b"thrombectomy" in page and b"Rapid Diagnostic" not in page


def test_the_risk_form_offers_a_secretary_only_their_own_boards(client_as, board_a, board_b):
    page = client_as("secretary_a").get("/boards/risks/add/").content.decode()
    owner = page[
        page.index('name="owner_board"') : page.index("</select>", page.index('name="owner_board"'))
    ]
    assert board_a.name in owner and board_b.name not in owner
    assert "Not assigned" not in owner
    admin = client_as("admin").get("/boards/risks/add/").content.decode()
    owner = admin[admin.index('name="owner_board"') :]
    assert board_a.name in owner and board_b.name in owner


def test_the_commitment_form_does_not_offer_not_given_in_the_source(client_as):
    from assurance.models import Commitment

    commitment = Commitment.objects.exclude(owner_board=None).select_related("owner_board").first()
    admin = client_as("admin")
    page = admin.get(f"/boards/commitments/{commitment.key}/status/").content.decode()
    form = page[page.index('<form method="post"') :]
    form = form[: form.index("</form>")]
    assert "Not given in the source" not in form and "On track" in form
