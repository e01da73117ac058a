"""Text from the database is escaped wherever the portal shows it, and neutralised in exports.

Every text field (CharField, TextField) of every model in places, governance and metrics is
set to a hostile value, found by introspection so that a field added later is covered too;
then every kind of page, the metric CSV and every API list as CSV are fetched and searched for
the value unescaped.
"""

import csv
import datetime as dt
import io
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import UniqueConstraint
from django.test import Client
from django.urls import reverse

from demo.synthetic import synthetic_generate
from governance.models import Board, Membership
from governance.services import role_grant, vacancy_record
from metrics.choices import Category, DataKind
from metrics.models import Metric
from places.models import Place, System
from tests.places.dashboard_data import publish_snapshots

pytestmark = pytest.mark.django_db

APPS = ("places", "governance", "metrics", "assurance")
# Formula-leading, so that the CSV exports are tested on it too.
PAYLOAD = "=1+1<script>alert(1)</script>\"quotes'&"
SHORT = "=<i>\"'&"  # for fields shorter than PAYLOAD
USER_PAYLOAD = "<script>alert(2)</script>\"user'&"
# What must never reach a page as it is: markup, or a quote that could end an attribute.
UNESCAPED = ("<script>alert(", '</script>"quotes', "\"quotes'", "<i>\"'&", "\"user'")
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;quotes&#x27;&amp;"
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")

# Text fields that are not free text: codes the recompute writes and keys it looks rows up by.
MACHINE_FIELDS = {
    ("metrics", "snapshot", "scope_key"),
    ("metrics", "snapshot", "input_digest"),
    ("metrics", "seriessummary", "variation"),
    ("metrics", "seriessummary", "assurance"),
}


def text_fields(model) -> list[models.Field]:
    """The model's free-text fields: CharField and TextField, less slugs (validated to be
    URL-safe), fields with choices (validated against them) and the machine fields above."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not isinstance(f, models.SlugField)
        and not f.choices
        and (model._meta.app_label, model._meta.model_name, f.name) not in MACHINE_FIELDS
    ]


def hostile(field: models.Field, suffix: str = "") -> str:
    value = PAYLOAD + suffix
    if field.max_length is not None and len(value) > field.max_length:
        value = SHORT + suffix
    assert field.max_length is None or len(value) <= field.max_length, field
    return value


def fill_every_text_field() -> dict[str, int]:
    """Every text field of every row set to the payload; returns {model: fields set}."""
    touched = {}
    for model in apps.get_models():
        if model._meta.app_label not in APPS or model._meta.proxy:
            continue
        fields = text_fields(model)
        if not fields:
            continue
        # Unique alone, or with its system (keys): each row gets its own value.
        unique = {f.name for f in fields if f.unique} | {
            name
            for c in model._meta.constraints
            if isinstance(c, UniqueConstraint) and c.condition is None
            for name in c.fields
        }
        shared = [f for f in fields if f.name not in unique]
        if shared:
            model._default_manager.update(**{f.name: hostile(f) for f in shared})
        for f in (f for f in fields if f.name in unique):
            for pk in model._default_manager.values_list("pk", flat=True):
                model._default_manager.filter(pk=pk).update(**{f.name: hostile(f, f" {pk}")})
        touched[model._meta.label] = len(fields)
    return touched


@pytest.fixture
def hostile_portal(db):
    """The C&W facts with their illustrative series, every text field hostile, and snapshots
    published from that data (so the dashboards' stored summaries carry it too)."""
    system = System.objects.get()
    synthetic_generate(system=system)
    # A declared vacancy on the board whose forms are opened, so that its form is too.
    board = Membership.objects.filter(person__isnull=False).order_by("pk").first().board
    vacancy_record(
        actor=role_grant(
            username="xss-keeper", role="board_secretary", board_slugs=[board.slug]
        ).user,
        board=board,
        start_date=dt.date(2025, 1, 1),
    )
    # A link of each kind and a mitigating action, so that their removal and status forms open.
    from assurance.choices import LinkBasis
    from assurance.models import MitigatingAction, PriorityMetric, PriorityOutcome, Risk
    from places.models import Outcome, Priority

    priority = Priority.objects.order_by("pk").first()
    links = {"priority": priority, "basis": LinkBasis.PERSON, "reason": "linked"}
    if not PriorityOutcome.objects.filter(priority=priority).exists():
        PriorityOutcome.objects.create(outcome=Outcome.objects.order_by("pk").first(), **links)
    if not PriorityMetric.objects.filter(priority=priority).exists():
        PriorityMetric.objects.create(metric=Metric.objects.order_by("pk").first(), **links)
    risk = Risk.objects.order_by("pk").first()
    if not risk.actions.exists():
        MitigatingAction.objects.create(risk=risk, description="act")
    meeting_records(board)
    touched = fill_every_text_field()
    publish_snapshots(system)
    return touched


def meeting_records(board: Board) -> None:
    """A meeting of ``board`` with a row of every kind its pages show, so that they show the
    hostile text too (the attendance is a deputy's: only a deputy's row holds a name)."""
    from django.utils import timezone

    from assurance.models import AgendaItemMetric, AgendaItemRisk, Risk
    from governance.models import (
        Action,
        AgendaItem,
        Attendance,
        Decision,
        Declaration,
        Interest,
        Meeting,
        Paper,
    )

    seat = Membership.objects.filter(board=board, person__isnull=False).order_by("pk").first()
    org = seat.on_behalf_of or board.required_organisations.first()
    meeting = Meeting.objects.create(board=board, start=timezone.now(), title="m", location="l")
    item = AgendaItem.objects.create(meeting=meeting, number=1, title="i", purpose="decision")
    if org is not None:
        item.organisations.add(org)
    Paper.objects.create(item=item, title="p", url="https://example.org/p.pdf")
    interest = Interest.objects.create(
        person=seat.person,
        organisation=org,
        description="d",
        kind="financial",
        declared_on=dt.date(2025, 1, 1),
    )
    Attendance.objects.create(meeting=meeting, membership=seat, status="deputy", deputy_name="x")
    Declaration.objects.create(item=item, person=seat.person, interest=interest, action="noted")
    Decision.objects.create(item=item, text="t", decided_on=dt.date(2025, 1, 1))
    Action.objects.create(
        board=board, meeting=meeting, description="a", owner="o", due_date=dt.date(2025, 1, 1)
    )
    AgendaItemMetric.objects.create(item=item, metric=Metric.objects.order_by("pk").first())
    AgendaItemRisk.objects.create(item=item, risk=Risk.objects.order_by("pk").first())


def signed_in(role: str, *, boards=()) -> Client:
    user = role_grant(username=f"xss-{role}", role=role, board_slugs=list(boards)).user
    get_user_model().objects.filter(pk=user.pk).update(
        first_name=USER_PAYLOAD, last_name=USER_PAYLOAD
    )
    client = Client()
    client.force_login(user)
    return client


# Named URLs that are not HTML pages, and where they are checked instead.
NOT_PAGES = {
    "assurance:risk_export": "a CSV export: test_the_risk_register_csv_...",
    # Opened below when a proportion or rate exists; the documents give none.
    "metrics:metric_compare": "proportions and rates only: tests/metrics/test_compare.py",
    "governance:meeting_feed": "iCalendar: tests/governance/test_meeting_pages.py",
    "governance:meeting_private_feed": "iCalendar: tests/governance/test_meeting_pages.py",
    "governance:calendar_link": "POST only: tests/governance/test_meeting_pages.py",
    "assurance:pack_pdf": "a PDF: tests/assurance/test_packs.py",
    "governance:paper_download": "an uploaded file: tests/governance/test_meeting_pages.py",
    "assurance:pack_publish": "POST only: tests/assurance/test_packs.py",
    "governance:interest_confirm": "POST only: tests/governance/test_person_interests.py",
    "metrics:upload_errors": "a CSV export: tests/metrics/test_upload_page.py",
}


def url_names() -> set[str]:
    """Every named URL of the three apps' URLconfs."""
    from assurance import urls as assurance
    from governance import urls as governance
    from metrics import urls as metrics

    return {
        f"{m.app_name}:{p.name}" for m in (assurance, governance, metrics) for p in m.urlpatterns
    }


def place_metrics_urls(place: Place) -> list[str]:
    """The first page of each category of the Place's tiles."""
    from assurance.selectors import place_metrics, place_snapshot_ids, with_snapshot_ids

    place = with_snapshot_ids(Place.objects.filter(pk=place.pk)).get()
    keys = {label: key for key, label in Category.choices}
    tiles = place_metrics(place=place, snapshot_ids=place_snapshot_ids(place))["tiles"]
    url = reverse("assurance:place_metrics", args=[place.slug])
    return [f"{url}?category={keys[group['category']]}" for group in tiles]


def failed_import():
    """A failed import whose file name and error carry the payload (uploads are not data the
    fixture fills: they are made here)."""
    from metrics.models import ImportJob

    return ImportJob.objects.create(
        file_name=PAYLOAD,
        status="failed",
        errors=[{"row": 2, "column": "value", "message": PAYLOAD}],
        errors_total=1,
    )


def page_urls() -> dict[str, list[str]]:
    """For every page the apps name, the URLs opened: one per object for the main pages, else
    the object that shows the most text (a board secretary's forms for a board they keep)."""
    from assurance.models import Commitment, MitigatingAction, PriorityMetric, PriorityOutcome, Risk
    from places.models import Priority

    seat = Membership.objects.filter(person__isnull=False).order_by("pk").first()
    board = seat.board
    vacancy = Membership.objects.filter(board=board, person__isnull=True, person_not_named=False)
    priority = Priority.objects.order_by("pk").first()
    risk = Risk.objects.order_by("pk").first()
    outcome_link = PriorityOutcome.objects.filter(priority=priority).order_by("pk").first()
    metric_link = PriorityMetric.objects.filter(priority=priority).order_by("pk").first()
    action = MitigatingAction.objects.filter(risk=risk).order_by("pk").first()
    commitment = Commitment.objects.order_by("pk").first()

    def r(name, *args, query=""):
        return [reverse(name, args=args) + query]

    urls = {
        "assurance:system_overview": r("assurance:system_overview"),
        "assurance:place_detail": [
            reverse("assurance:place_detail", args=[p.slug]) for p in Place.objects.order_by("pk")
        ],
        "assurance:outcome_list": r("assurance:outcome_list"),
        "assurance:priority_detail": r("assurance:priority_detail", priority.key),
        "assurance:priority_outcome_create": r("assurance:priority_outcome_create", priority.key),
        "assurance:priority_metric_create": r("assurance:priority_metric_create", priority.key),
        "assurance:finance": r("assurance:finance"),
        "governance:board_list": r("governance:board_list")
        + r("governance:board_list", query="?q=1"),
        "assurance:board_detail": [
            reverse("assurance:board_detail", args=[b.slug]) for b in Board.objects.order_by("pk")
        ],
        "governance:board_as_at": r("governance:board_as_at", board.slug, query="?date=2025-01-01"),
        "governance:board_changes": r("governance:board_changes", board.slug),
        "governance:membership_create": r("governance:membership_create", board.slug),
        "governance:membership_update": r("governance:membership_update", board.slug, seat.pk),
        "governance:membership_end": r("governance:membership_end", board.slug, seat.pk),
        "governance:vacancy_record": r("governance:vacancy_record", board.slug),
        "governance:vacancy_fill": r("governance:vacancy_fill", board.slug, vacancy.first().pk),
        "assurance:risk_list": r("assurance:risk_list"),
        "assurance:risk_create": r("assurance:risk_create"),
        "assurance:risk_detail": r("assurance:risk_detail", risk.key),
        "assurance:risk_update": r("assurance:risk_update", risk.key),
        "assurance:risk_review": r("assurance:risk_review", risk.key),
        "assurance:action_create": r("assurance:action_create", risk.key),
        "assurance:commitment_list": r("assurance:commitment_list"),
        "assurance:commitment_update": r("assurance:commitment_update", commitment.key),
        "assurance:place_outcomes": [
            reverse("assurance:place_outcomes", args=[p.slug]) for p in Place.objects.order_by("pk")
        ],
        "assurance:place_finance": [
            reverse("assurance:place_finance", args=[p.slug]) for p in Place.objects.order_by("pk")
        ],
        "assurance:concern_list": r("assurance:concern_list"),
        "metrics:metric_list": r("metrics:metric_list"),
        "metrics:metric_detail": [
            reverse("metrics:metric_detail", args=[m.code]) for m in Metric.objects.order_by("pk")
        ],
        # Every category of tiles the first Place's page shows.
        "assurance:place_metrics": place_metrics_urls(Place.objects.order_by("pk").first()),
        "metrics:metric_summary": [
            reverse("metrics:metric_summary") + f"?system={system.slug}"
            for system in System.objects.order_by("pk")
        ],
        # The form lives on the metric's page, which a GET redirects to.
        "metrics:upload": r("metrics:upload"),
        "metrics:upload_job": r("metrics:upload_job", failed_import().pk),
        "metrics:annotation_create": r(
            "metrics:annotation_create", Metric.objects.order_by("pk").first().code
        ),
        "governance:person_interests": r("governance:person_interests", seat.person.key),
        # The entry meeting_records() adds for the first seat of the board whose forms open.
        **{
            name: r(name, seat.person.key, seat.person.interests.order_by("pk").first().pk)
            for name in ("governance:interest_update", "governance:interest_end")
        },
        "about_icons": r("about_icons"),
        "me": r("me"),
        "api": ["/api/v1/boards/?format=api"],
    }
    from governance.models import Meeting

    meeting = Meeting.objects.filter(board=board).order_by("pk").first()
    for name in (
        "governance:meeting_detail",
        "governance:meeting_status",
        "governance:meeting_update",
        "governance:agenda_item_create",
        "governance:attendance_record",
        "governance:interest_create",
        "governance:declaration_create",
        "governance:decision_create",
        "governance:action_create",
        "assurance:pack_detail",
    ):
        urls[name] = r(name, board.slug, meeting.pk)
    urls["governance:meeting_create"] = r("governance:meeting_create", board.slug)
    urls["assurance:agenda_item_link"] = r(
        "assurance:agenda_item_link", board.slug, meeting.pk, meeting.items.get().pk
    )
    urls["governance:paper_add"] = r(
        "governance:paper_add", board.slug, meeting.pk, meeting.items.get().pk
    )
    if outcome_link is not None:
        urls["assurance:priority_outcome_delete"] = r(
            "assurance:priority_outcome_delete", priority.key, outcome_link.pk
        )
    if metric_link is not None:
        urls["assurance:priority_metric_delete"] = r(
            "assurance:priority_metric_delete", priority.key, metric_link.pk
        )
    # Only proportions and rates are compared; the documents give none.
    compared = Metric.objects.filter(data_kind__in=[DataKind.PROPORTION, DataKind.RATE]).first()
    if compared is not None:
        urls["metrics:metric_compare"] = r("metrics:metric_compare", compared.code)
    if action is not None:
        urls["assurance:action_update"] = r("assurance:action_update", risk.key, action.pk)
    return urls


def test_every_text_field_is_covered(hostile_portal):
    # The fields that show on pages, at least, are among those set.
    for label in ("places.Place", "governance.Board", "governance.Person", "metrics.Metric"):
        assert hostile_portal[label] >= 1, label
    assert Board.objects.filter(name__startswith=PAYLOAD).count() == Board.objects.count()


def test_no_page_shows_the_hostile_text_unescaped(hostile_portal):
    board = Membership.objects.filter(person__isnull=False).order_by("pk").first().board
    # The admin role reads and edits everything but membership, which is a secretary's.
    clients = [signed_in("admin"), signed_in("board_secretary", boards=[board.slug])]
    pages = page_urls()
    # Every page the apps name is opened (a new one must be added above).
    assert url_names() - set(NOT_PAGES) <= set(pages)
    failures, without = [], []
    for name, urls in pages.items():
        for url in urls:
            for client in clients:
                # A form that lives on another page redirects there on GET: that page is read.
                response = client.get(url, follow=True)
                if response.status_code != 403:
                    break
            assert response.status_code == 200, (name, url, response.status_code)
            html = response.content.decode()
            failures += [f"{url}: {marker!r}" for marker in UNESCAPED if marker in html]
            if ESCAPED not in html:
                without.append(name)
    assert failures == []
    # Every page but the icon key and the admin's own account page (which show no stored
    # text) shows the text, escaped: the test reaches what it means to check.
    assert set(without) <= {"about_icons", "me"}


def test_the_not_found_and_sign_in_pages_escape_what_they_echo(hostile_portal, client):
    response = client.get("/accounts/login/", {"next": PAYLOAD})
    html = response.content.decode()
    assert not [m for m in UNESCAPED if m in html]
    response = client.post("/accounts/login/", {"username": PAYLOAD, "password": "x"})
    html = response.content.decode()
    assert response.status_code == 200
    assert not [m for m in UNESCAPED if m in html]
    assert "&lt;script&gt;alert(1)" in html  # the username is shown back, escaped


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def formula_cells(rows: list[list[str]]) -> list[str]:
    return [
        cell
        for row in rows[1:]
        for cell in row
        if cell.startswith(FORMULA_LEADS) and not NUMBER.fullmatch(cell)
    ]


def test_the_metric_csv_neutralises_formula_leading_cells(hostile_portal):
    client = signed_in("commissioner")
    checked = 0
    for metric in Metric.objects.order_by("pk"):
        rows = read_csv(
            client.get(reverse("metrics:metric_detail", args=[metric.code]), {"format": "csv"})
        )
        assert formula_cells(rows) == [], metric.code
        checked += sum(cell.startswith("'" + SHORT[0]) for row in rows for cell in row)
    assert checked > 0  # hostile subject names were exported, quoted


def api_list_urls() -> list[str]:
    from assurance.api.urls import router as assurance
    from governance.api.urls import router as governance
    from metrics.api.urls import router as metrics
    from places.api.urls import router as places

    return [
        reverse(f"api:{basename}-list")
        for router in (places, governance, metrics, assurance)
        for _, _, basename in router.registry
    ]


def test_every_api_list_as_csv_neutralises_formula_leading_cells(hostile_portal):
    client = signed_in("analyst")
    quoted = 0
    for url in api_list_urls():
        rows = read_csv(client.get(url, {"format": "csv", "page_size": 500}))
        assert formula_cells(rows) == [], url
        quoted += sum(cell.startswith("'=") for row in rows for cell in row)
    assert quoted > 0


def test_the_risk_register_csv_neutralises_formula_leading_cells(hostile_portal):
    rows = read_csv(signed_in("commissioner").get(reverse("assurance:risk_export")))
    assert len(rows) > 1
    assert formula_cells(rows) == []
    assert any(cell.startswith("'" + PAYLOAD) for row in rows for cell in row)
