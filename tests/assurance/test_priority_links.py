"""Linking a Place's priorities to the outcomes and to the metrics that evidence them: who may,
what is refused (naming the field, writing nothing), the roll-up that reads the links, the
history of a removal, the API, and the priority page's constant query count."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assurance import outcome_services as services
from assurance.models import PriorityMetric, PriorityOutcome
from assurance.outcome_selectors import outcome_rollup
from governance.services import role_grant
from metrics.models import SeriesSummary
from places.models import Outcome, Place, Priority
from tests.assurance.risk_data import publish_summary
from tests.factories import MetricFactory, SeriesFactory

pytestmark = pytest.mark.django_db

PRIORITY = "rug-prio-ucc-st-cross"  # Rugby's; cited in two documents
RUGBY_BOARD = "rugby-partnership-executive-board"
COVENTRY_BOARD = "coventry-place-executive"


@pytest.fixture
def priority():
    return Priority.objects.select_related("place__system").get(key=PRIORITY)


@pytest.fixture
def outcome():
    return Outcome.objects.get(code="healthy_people")


@pytest.fixture
def rugby_metric(priority):
    metric = MetricFactory(outcome="")
    SeriesFactory(metric=metric, place=priority.place)
    return metric


@pytest.fixture
def coventry_metric():
    metric = MetricFactory(outcome="")
    SeriesFactory(metric=metric, place=Place.objects.get(slug="coventry"))
    return metric


@pytest.fixture
def secretary():
    return role_grant(username="rugby-sec", role="board_secretary", board_slugs=[RUGBY_BOARD]).user


@pytest.fixture
def admin():
    return role_grant(username="links-admin", role="admin").user


def page_url(key=PRIORITY, suffix=""):
    """The priority's page (or a form under it) as the portal links it: naming its system."""
    return f"/outcomes/priorities/{key}/{suffix}?system=coventry-and-warwickshire"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client(username: str, role: str):
    from rest_framework.test import APIClient

    from icsportal.api.tokens import token_issue

    user = role_grant(username=username, role=role).user
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user).key}")
    return client


def copy_summary(summary: SeriesSummary, **changes) -> SeriesSummary:
    """Another series' summary in the same published snapshot as ``summary``."""
    summary.pk = None
    for name, value in changes.items():
        setattr(summary, name, value)
    summary.save()
    return summary


def link_counts() -> tuple[int, int, int, int]:
    return (
        PriorityOutcome.objects.count(),
        PriorityMetric.objects.count(),
        PriorityOutcome.history.count(),
        PriorityMetric.history.count(),
    )


# -- who may -------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_is_written(outcome):
    before = link_counts()
    client = Client()
    for url in (page_url(), page_url(suffix="outcomes/add/")):
        response = client.post(url, {"outcome-outcome": outcome.pk, "outcome-reason": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert link_counts() == before


@pytest.mark.parametrize(
    ("role", "boards"),
    [("commissioner", []), ("analyst", []), ("board_secretary", [COVENTRY_BOARD])],
    ids=["viewer", "analyst", "secretary-of-another-place"],
)
def test_only_admins_and_the_places_secretaries_may_link(
    page_client_as, admin, priority, outcome, rugby_metric, role, boards
):
    existing = services.priority_metric_create(
        actor=admin, priority=priority, metric=rugby_metric, reason="Made by an admin"
    )
    client = page_client_as(role, boards=boards)
    page = client.get(page_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert priority.title in body
    assert 'id="link-outcome"' not in body and "outcomes/add/" not in body
    assert "Made by an admin" in body and "/remove/" not in body
    before = link_counts()
    refused = [
        client.get(page_url(suffix=f"metrics/{existing.pk}/remove/")),
        client.post(page_url(suffix=f"metrics/{existing.pk}/remove/"), {"reason": "Not mine"}),
        client.get(page_url(suffix="outcomes/add/")),
        client.post(
            page_url(suffix="outcomes/add/"),
            {"outcome-outcome": outcome.pk, "outcome-reason": "Serves it"},
        ),
        client.post(
            page_url(suffix="metrics/add/"),
            {"metric-metric": rugby_metric.pk, "metric-reason": "Evidence"},
        ),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403, 403, 403]
    assert link_counts() == before
    assert PriorityMetric.objects.filter(pk=existing.pk).exists()


@pytest.mark.parametrize("who", ["secretary", "admin"])
def test_the_places_secretary_and_an_admin_link_an_outcome_and_a_metric(
    request, priority, outcome, rugby_metric, who
):
    user = request.getfixturevalue(who)
    client = signed_in(user)
    page = client.get(page_url()).content.decode()
    assert 'id="link-outcome"' in page and 'id="link-metric"' in page
    # The metric list offers the Place's metrics.
    assert f'<option value="{rugby_metric.pk}">' in page

    response = client.post(
        page_url(suffix="outcomes/add/"),
        {"outcome-outcome": outcome.pk, "outcome-reason": "  Fewer A&E  visits keep people well "},
    )
    assert response.status_code == 302 and response["Location"] == page_url()
    response = client.post(
        page_url(suffix="metrics/add/"),
        {"metric-metric": rugby_metric.pk, "metric-reason": "Counts UCC attendances"},
    )
    assert response.status_code == 302

    link = PriorityOutcome.objects.get(priority=priority)
    assert (link.outcome, link.basis, link.reason, link.created_by) == (
        outcome,
        "person",
        "Fewer A&E visits keep people well",
        user,
    )
    metric_link = PriorityMetric.objects.get(priority=priority)
    assert (metric_link.metric, metric_link.created_by) == (rugby_metric, user)
    shown = client.get(page_url()).content.decode()
    assert f"Linked by {user.username} on" in shown
    assert "Fewer A&amp;E visits keep people well" in shown
    assert "Counts UCC attendances" in shown
    # The link is recorded with who and why.
    [record] = PriorityOutcome.history.filter(priority_id=priority.pk)
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        user,
        "Fewer A&E visits keep people well",
    )


def test_a_guessed_link_number_of_another_priority_finds_nothing(
    secretary, admin, priority, outcome
):
    coventry = Priority.objects.get(key="cov-prio-frailty")
    theirs = services.priority_outcome_create(
        actor=admin, priority=coventry, outcome=outcome, reason="Coventry's own"
    )
    client = signed_in(secretary)
    # Under their own priority's address: no such link there.
    assert client.get(page_url(suffix=f"outcomes/{theirs.pk}/remove/")).status_code == 404
    response = client.post(page_url(suffix=f"outcomes/{theirs.pk}/remove/"), {"reason": "Mine"})
    assert response.status_code == 404
    # An outcome link's number given as a metric link's: nothing either.
    assert client.get(page_url(suffix=f"metrics/{theirs.pk}/remove/")).status_code == 404
    # Under the other Place's priority: refused.
    url = page_url(key=coventry.key, suffix=f"outcomes/{theirs.pk}/remove/")
    assert client.post(url, {"reason": "Mine"}).status_code == 403
    assert (
        client.post(
            page_url(key=coventry.key, suffix="outcomes/add/"),
            {"outcome-outcome": outcome.pk, "outcome-reason": "x"},
        ).status_code
        == 403
    )
    assert PriorityOutcome.objects.filter(pk=theirs.pk).exists()
    assert not PriorityOutcome.history.filter(history_type="-").exists()


def test_the_services_refuse_anyone_else(priority, outcome, rugby_metric):
    other = role_grant(
        username="cov-sec", role="board_secretary", board_slugs=[COVENTRY_BOARD]
    ).user
    viewer = role_grant(username="viewer", role="commissioner").user
    for actor in (other, viewer):
        with pytest.raises(PermissionDenied):
            services.priority_outcome_create(
                actor=actor, priority=priority, outcome=outcome, reason="x"
            )
        with pytest.raises(PermissionDenied):
            services.priority_metric_create(
                actor=actor, priority=priority, metric=rugby_metric, reason="x"
            )
    assert link_counts() == (0, 0, 0, 0)


# -- bad input -----------------------------------------------------------------------------------


def _errors(response) -> str:
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    return body


def test_no_reason_is_refused_on_the_reason_field_and_nothing_is_written(
    secretary, outcome, rugby_metric
):
    client = signed_in(secretary)
    body = _errors(
        client.post(
            page_url(suffix="outcomes/add/"), {"outcome-outcome": outcome.pk, "outcome-reason": " "}
        )
    )
    assert '<a href="#id_outcome-reason">Enter the reason for linking it to the outcome</a>' in body
    assert 'id="id_outcome-reason-error"' in body
    assert "<title>Error: " in body
    body = _errors(client.post(page_url(suffix="metrics/add/"), {"metric-metric": rugby_metric.pk}))
    assert '<a href="#id_metric-reason">Enter the reason for linking the metric</a>' in body
    body = _errors(client.post(page_url(suffix="outcomes/add/"), {"outcome-reason": "Why"}))
    assert '<a href="#id_outcome-outcome_0">Select the outcome this priority serves</a>' in body
    assert link_counts() == (0, 0, 0, 0)


def test_a_whitespace_reason_is_refused_by_the_service_naming_the_field(
    secretary, priority, outcome
):
    with pytest.raises(ValidationError) as caught:
        services.priority_outcome_create(
            actor=secretary, priority=priority, outcome=outcome, reason="\n \t"
        )
    assert caught.value.message_dict == {"reason": ["Enter the reason for this change."]}
    assert link_counts() == (0, 0, 0, 0)


def test_a_duplicate_link_names_the_field_and_writes_nothing(
    secretary, priority, outcome, rugby_metric
):
    client = signed_in(secretary)
    client.post(
        page_url(suffix="outcomes/add/"),
        {"outcome-outcome": outcome.pk, "outcome-reason": "First"},
    )
    client.post(
        page_url(suffix="metrics/add/"), {"metric-metric": rugby_metric.pk, "metric-reason": "1st"}
    )
    before = link_counts()
    body = _errors(
        client.post(
            page_url(suffix="outcomes/add/"),
            {"outcome-outcome": outcome.pk, "outcome-reason": "Again"},
        )
    )
    message = f"This priority is already linked to the outcome “{outcome.title}”."
    assert f'<a href="#id_outcome-outcome_0">{message}</a>' in body
    assert 'id="id_outcome-outcome-error"' in body
    body = _errors(
        client.post(
            page_url(suffix="metrics/add/"),
            {"metric-metric": rugby_metric.pk, "metric-reason": "Again"},
        )
    )
    assert (
        f'<a href="#id_metric-metric">This priority is already linked to the metric '
        f"“{rugby_metric.short_name}”.</a>" in body
    )
    assert link_counts() == before
    assert PriorityOutcome.objects.get(priority=priority).reason == "First"


def test_a_metric_of_another_place_is_refused_naming_the_field(
    secretary, priority, coventry_metric
):
    client = signed_in(secretary)
    page = client.get(page_url()).content.decode()
    assert f'value="{coventry_metric.pk}"' not in page
    body = _errors(
        client.post(
            page_url(suffix="metrics/add/"),
            {"metric-metric": coventry_metric.pk, "metric-reason": "Looks relevant"},
        )
    )
    assert (
        '<a href="#id_metric-metric">Choose a metric with a series for Rugby, its system or an '
        "organisation serving Rugby</a>" in body
    )
    # The service refuses it too, for callers other than the form.
    with pytest.raises(ValidationError) as caught:
        services.priority_metric_create(
            actor=secretary, priority=priority, metric=coventry_metric, reason="x"
        )
    assert list(caught.value.message_dict) == ["metric"]
    assert "has no series for Rugby" in caught.value.message_dict["metric"][0]
    assert link_counts() == (0, 0, 0, 0)


def test_system_and_serving_organisation_metrics_may_evidence_a_places_priority(priority):
    system_metric = MetricFactory()
    SeriesFactory(
        metric=system_metric, subject_type="system", system=priority.place.system, place=None
    )
    serving = priority.place.organisations.first()
    org_metric = MetricFactory()
    SeriesFactory(metric=org_metric, subject_type="organisation", organisation=serving, place=None)
    elsewhere = priority.place.system.organisations.exclude(places=priority.place).first()
    other_org_metric = MetricFactory()
    SeriesFactory(
        metric=other_org_metric, subject_type="organisation", organisation=elsewhere, place=None
    )
    allowed = set(services.metrics_for_place(priority.place))
    assert {system_metric, org_metric} <= allowed
    assert other_org_metric not in allowed


def test_an_outcome_of_another_system_is_refused(secretary, priority):
    from tests.factories import SystemFactory

    other = SystemFactory()
    foreign = Outcome.objects.create(
        key="other-healthy", system=other, code="healthy_people", number=1, title="Elsewhere"
    )
    with pytest.raises(ValidationError) as caught:
        services.priority_outcome_create(
            actor=secretary, priority=priority, outcome=foreign, reason="x"
        )
    assert list(caught.value.message_dict) == ["outcome"]
    assert link_counts() == (0, 0, 0, 0)


# -- the roll-up reads the links -----------------------------------------------------------------


def test_a_link_appears_in_the_roll_up_at_once_with_the_worst_status_of_the_latest_snapshot(
    commissioner_client, secretary, priority, outcome
):
    import datetime as dt

    from django.utils import timezone

    rugby = priority.place
    first, second = MetricFactory(outcome=""), MetricFactory(outcome="")
    first_series = SeriesFactory(metric=first, place=rugby)
    second_series = SeriesFactory(metric=second, place=rugby)
    earlier = timezone.now() - dt.timedelta(days=1)
    # An older snapshot said red and concern; the latest says amber and common cause.
    publish_summary(first_series, variation="concern_high", rag="red", published_at=earlier)
    latest = publish_summary(
        first_series, variation="common_cause", assurance="hit_and_miss", rag="amber"
    )
    second_summary = copy_summary(
        latest,
        series=second_series,
        variation="improvement_high",
        assurance="consistent_fail",
        rag="green",
    )
    # Another Place's series of the same metric does not count for Rugby's priority.
    coventry_series = SeriesFactory(metric=first, place=Place.objects.get(slug="coventry"))
    publish_summary(coventry_series, variation="concern_low", rag="red")
    assert second_summary.snapshot.place == rugby

    client = signed_in(secretary)
    client.post(
        page_url(suffix="outcomes/add/"), {"outcome-outcome": outcome.pk, "outcome-reason": "Why"}
    )
    for metric in (first, second):
        client.post(
            page_url(suffix="metrics/add/"), {"metric-metric": metric.pk, "metric-reason": "Ev"}
        )

    for rollup in (
        outcome_rollup(system=rugby.system, place=rugby),
        outcome_rollup(system=rugby.system),
    ):
        item = next(o for o in rollup["outcomes"] if o["outcome"] == outcome)
        [linked] = item["priorities"]
        assert linked["priority"] == priority
        w = linked["worst"]
        assert (w["variation"], w["assurance"], w["rag"]) == (
            "common_cause",
            "consistent_fail",
            "amber",
        )
        assert w["with_data"] == 2
        assert priority not in rollup["unlinked"]

    # The Place's roll-up (its page links to it) and the system's.
    place_page = commissioner_client.get(f"/places/{rugby.slug}/outcomes/").content.decode()
    system_page = commissioner_client.get("/outcomes/").content.decode()
    detail = f'href="{page_url()}"'
    for page in (place_page, system_page):
        assert detail in page
        assert "Worst of 2 series with data: Common cause variation" in page
    assert "Priorities not yet linked to an outcome (20)" in system_page
    # The priority's own page shows the same worst status beneath it.
    mine = commissioner_client.get(page_url()).content.decode()
    assert "Worst of 2 series with data: Common cause variation" in mine


def test_removal_takes_the_link_out_of_the_roll_up_and_keeps_who_and_why(
    commissioner_client, secretary, admin, priority, outcome, rugby_metric
):
    link = services.priority_outcome_create(
        actor=admin, priority=priority, outcome=outcome, reason="Agreed at the Place executive"
    )
    metric_link = services.priority_metric_create(
        actor=admin, priority=priority, metric=rugby_metric, reason="Its evidence"
    )
    client = signed_in(secretary)
    confirm = client.get(page_url(suffix=f"outcomes/{link.pk}/remove/")).content.decode()
    assert "Agreed at the Place executive" in confirm and "links-admin" in confirm

    before = link_counts()
    body = _errors(client.post(page_url(suffix=f"outcomes/{link.pk}/remove/"), {"reason": ""}))
    assert '<a href="#id_reason">Enter the reason for removing the link</a>' in body
    assert link_counts() == before

    response = client.post(
        page_url(suffix=f"outcomes/{link.pk}/remove/"),
        {"reason": "The Place executive moved it to outcome 3"},
    )
    assert response.status_code == 302 and response["Location"] == page_url()
    response = client.post(
        page_url(suffix=f"metrics/{metric_link.pk}/remove/"), {"reason": "Wrong metric"}
    )
    assert response.status_code == 302
    assert not PriorityOutcome.objects.filter(priority=priority).exists()
    assert not PriorityMetric.objects.filter(priority=priority).exists()

    removed = PriorityOutcome.history.get(priority_id=priority.pk, history_type="-")
    assert removed.history_user == secretary
    assert removed.history_change_reason == "The Place executive moved it to outcome 3"
    assert removed.created_by == admin and removed.reason == "Agreed at the Place executive"
    removed_metric = PriorityMetric.history.get(priority_id=priority.pk, history_type="-")
    assert (removed_metric.history_user, removed_metric.history_change_reason) == (
        secretary,
        "Wrong metric",
    )

    rollup = outcome_rollup(system=priority.place.system, place=priority.place)
    assert priority in rollup["unlinked"]
    page = commissioner_client.get(page_url()).content.decode()
    assert "Not yet linked to an outcome" in page
    assert "rugby-sec: removed the link to the outcome" in page
    assert "The Place executive moved it to outcome 3" in page
    assert (
        "Priorities not yet linked to an outcome (21)"
        in commissioner_client.get("/outcomes/").content.decode()
    )
    # Removing it again: it is gone.
    assert (
        client.post(page_url(suffix=f"outcomes/{link.pk}/remove/"), {"reason": "Again"}).status_code
        == 404
    )


def test_a_link_stated_in_a_document_is_not_removed(admin, priority, outcome):
    link = PriorityOutcome.objects.create(
        priority=priority, outcome=outcome, basis="document", reason="The plan says so"
    )
    with pytest.raises(ValidationError, match="stated in a source document"):
        services.priority_outcome_delete(actor=admin, link=link, reason="Disagree")
    assert PriorityOutcome.objects.filter(pk=link.pk).exists()


# -- the API -------------------------------------------------------------------------------------


def test_the_api_shows_the_links_with_who_and_why_and_takes_no_writes(
    admin, priority, outcome, rugby_metric
):
    services.priority_outcome_create(
        actor=admin, priority=priority, outcome=outcome, reason="Serves healthy lives"
    )
    services.priority_metric_create(
        actor=admin, priority=priority, metric=rugby_metric, reason="UCC attendances"
    )
    analyst = api_client("links-analyst", "analyst")
    body = analyst.get(f"/api/v1/outcomes/{outcome.key}/").json()
    [entry] = body["priorities"]
    assert entry["priority"] == priority.pk and entry["reason"] == "Serves healthy lives"
    assert entry["created_by"] == "links-admin" and entry["created_at"]
    assert entry["metrics"] == [rugby_metric.code]
    [metric_entry] = entry["metric_links"]
    assert metric_entry["metric"]["code"] == rugby_metric.code
    assert (metric_entry["reason"], metric_entry["created_by"]) == (
        "UCC attendances",
        "links-admin",
    )

    detail = analyst.get(f"/api/v1/priorities/{priority.pk}/").json()
    [o] = detail["outcome_links"]
    assert (o["outcome"]["code"], o["reason"], o["created_by"], o["basis"]) == (
        "healthy_people",
        "Serves healthy lives",
        "links-admin",
        "person",
    )
    [m] = detail["metric_links"]
    assert (m["metric"]["code"], m["reason"]) == (rugby_metric.code, "UCC attendances")

    writer = api_client("links-api-admin", "admin")
    before = link_counts()
    # Read only, even for an admin (refused before the method is looked at).
    assert writer.post("/api/v1/outcomes/", {}, format="json").status_code in (403, 405)
    assert writer.patch(
        f"/api/v1/priorities/{priority.pk}/", {"outcome_links": []}, format="json"
    ).status_code in (403, 405)
    assert link_counts() == before


# -- query counts --------------------------------------------------------------------------------


def test_the_priority_page_runs_the_same_queries_for_few_links_and_many(admin, priority, outcome):
    client = signed_in(admin)
    outcomes = list(Outcome.objects.filter(system=priority.place.system))

    def grow(n):
        for _ in range(n):
            metric = MetricFactory(outcome="")
            series = SeriesFactory(metric=metric, place=priority.place)
            publish_summary(series, variation="concern_high", rag="red")
            link = services.priority_metric_create(
                actor=admin, priority=priority, metric=metric, reason="Evidence"
            )
            services.priority_metric_delete(actor=admin, link=link, reason="Undo")
            services.priority_metric_create(
                actor=admin, priority=priority, metric=metric, reason="Evidence again"
            )

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(page_url())
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    services.priority_outcome_create(
        actor=admin, priority=priority, outcome=outcomes[0], reason="First"
    )
    grow(2)
    queries()  # the first request after signing in also stamps the session's sign-in time
    small, _ = queries()
    services.priority_outcome_create(
        actor=admin, priority=priority, outcome=outcomes[1], reason="Second"
    )
    grow(4)
    large, page = queries()
    # 2 outcome and 6 metric links, each removable; each metric link's reason shows in the
    # list and in the history, which also holds the six earlier removals.
    assert page.count('Remove<span class="nhsuk-u-visually-hidden"> the link to') == 8
    assert page.count("Evidence again") == 12 and page.count("Undo") == 6
    # 15 for an admin, whatever the number of links: the session and the user; the priority;
    # its outcome links; its metric links; their series summaries; its also-citations; its
    # data-quality flags (the documents, the flags); the two histories; the outcome choices
    # (counted for the radios' layout, then listed); the metric choices (whether any, then
    # listed).
    assert small == large
    assert large <= 15


# -- the board page ------------------------------------------------------------------------------


def _board_outcomes_section(html: str) -> str:
    start = html.index('id="outcomes"')
    return html[start:]


def test_a_board_page_shows_how_its_places_priorities_roll_up(
    secretary, priority, outcome, rugby_metric
):
    """A board chair sees, on the board's page, its Place's priorities under the outcomes, with
    the worst status of the linked metric's latest snapshot."""
    client = signed_in(secretary)
    board_url = f"/boards/{RUGBY_BOARD}/"
    before = _board_outcomes_section(client.get(board_url).content.decode())
    assert "priorities are not linked to an outcome" in before
    services.priority_outcome_create(
        actor=secretary, priority=priority, outcome=outcome, reason="Urgent care closer to home"
    )
    services.priority_metric_create(
        actor=secretary, priority=priority, metric=rugby_metric, reason="Its evidence"
    )
    publish_summary(rugby_metric.series.get(), variation="special_cause_concern")
    client.get("/")  # the session's once-a-minute save happens on another request
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(board_url).content.decode()
    section = _board_outcomes_section(html)
    block = section[section.index(outcome.title) :]
    assert priority.title in block[: block.index("Metrics that serve this outcome")]
    assert rugby_metric.short_name in block
    assert "Special cause" in block or "concern" in block.lower()
    # The roll-up adds a fixed handful of queries to the board page, whatever it holds.
    services.priority_metric_create(
        actor=secretary,
        priority=Priority.objects.filter(place=priority.place).exclude(pk=priority.pk).first(),
        metric=rugby_metric,
        reason="Also",
    )
    with CaptureQueriesContext(connection) as again:
        client.get(board_url)
    assert len(again.captured_queries) == len(ctx.captured_queries)


def test_a_system_board_page_rolls_up_every_places_priorities(admin, priority, outcome):
    services.priority_outcome_create(actor=admin, priority=priority, outcome=outcome, reason="x")
    system_board = priority.place.system.boards.filter(place__isnull=True).first()
    html = signed_in(admin).get(f"/boards/{system_board.slug}/").content.decode()
    section = _board_outcomes_section(html)
    assert f"{priority.title}</a></strong> ({priority.place.name})" in section
