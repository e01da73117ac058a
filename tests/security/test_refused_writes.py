"""Issue 17, item 2: a refused write changes nothing — no row, no history row, no version.

Every write endpoint of the API and every edit form, sent by a user without the right, is
answered 403 and leaves every table of the portal's apps exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError

from assurance import outcome_services, risks
from assurance.models import Commitment, Risk, RiskMetric
from governance.models import Membership
from governance.services import vacancy_record
from places.content_version import current_version
from places.models import Outcome, Priority
from tests.api.conftest import api_as  # noqa: F401 - a fixture pytest finds by name
from tests.factories import MetricFactory, SeriesFactory
from tests.governance.conftest import (  # noqa: F401 - fixtures pytest finds by name
    BOARD_A,
    board_a,
    board_b,
    client_as,
    user_as,
)

pytestmark = pytest.mark.django_db

PORTAL_APPS = ("places", "governance", "metrics", "assurance")


def table_counts() -> dict[str, int]:
    """Rows in every table of the portal's apps, history tables included, and the content
    version (any write to page content changes it, in the same transaction)."""
    counts = {
        model._meta.label: model._default_manager.count()
        for label in PORTAL_APPS
        for model in apps.get_app_config(label).get_models()
    }
    return {**counts, "content version": current_version()}


def row_values(obj) -> dict:
    return type(obj)._default_manager.filter(pk=obj.pk).values().get()


# -- the reported case: a secretary moves a risk to another board --------------------------------


@pytest.fixture
def risk_of_board_a(user_as, board_a):  # noqa: F811 - the fixture imported above
    admin = user_as("admin")
    risk = risks.risk_create(
        actor=admin,
        system=board_a.system,
        title="Winter bed capacity",
        place=board_a.place,
        owner_board=board_a,
        reason="Raised at the Place Executive",
    )
    risks.risk_metrics_set(actor=admin, risk=risk, metrics=[MetricFactory()], reason="Evidence")
    return risk


def _change_form(risk: Risk, **overrides) -> dict:
    data = {
        "title": risk.title,
        "description": risk.description,
        "owner_board": risk.owner_board_id,
        "place": risk.place_id or "",
        "status": risk.status,
        "note": "",
        "reason": "Moved",
        "metrics": [link.metric_id for link in risk.metric_links.all()],
    }
    return {**data, **overrides}


def test_a_secretary_cannot_give_a_risk_to_a_board_they_do_not_keep(
    risk_of_board_a,
    client_as,  # noqa: F811
    board_b,  # noqa: F811
):
    client = client_as("secretary_a")
    before, values = table_counts(), row_values(risk_of_board_a)
    response = client.post(
        f"/boards/risks/{risk_of_board_a.key}/change/",
        _change_form(risk_of_board_a, owner_board=board_b.pk),
    )
    assert response.status_code == 403
    assert row_values(risk_of_board_a) == values
    assert table_counts() == before


@pytest.mark.parametrize("owner", ["board_b", None])
def test_the_service_checks_the_new_owner_before_saving(
    risk_of_board_a,
    user_as,  # noqa: F811
    board_b,  # noqa: F811
    owner,
):
    secretary = user_as("secretary_a")
    before, values = table_counts(), row_values(risk_of_board_a)
    with pytest.raises(PermissionDenied):
        risks.risk_update(
            actor=secretary,
            risk=risk_of_board_a,
            owner_board=board_b if owner else None,
            reason="Moved",
        )
    assert row_values(risk_of_board_a) == values
    assert table_counts() == before


def test_a_change_and_its_metrics_are_one_transaction(
    risk_of_board_a,
    user_as,  # noqa: F811
):
    """A failure after the risk's own fields are saved takes them back with it."""
    secretary = user_as("secretary_a")
    before, values = table_counts(), row_values(risk_of_board_a)
    with pytest.raises(ValidationError):
        risks.risk_change(
            actor=secretary,
            risk=risk_of_board_a,
            title="Renamed",
            metrics=[MetricFactory.build(pk=None)],  # unsaved: the link cannot be written
            reason="Renamed",
        )
    assert row_values(risk_of_board_a) == values
    assert table_counts() == before


def test_the_owners_secretary_may_still_change_the_risk_and_an_admin_may_move_it(
    risk_of_board_a,
    client_as,  # noqa: F811
    board_b,  # noqa: F811
):
    url = f"/boards/risks/{risk_of_board_a.key}/change/"
    form = _change_form(risk_of_board_a, title="Winter bed and staff capacity", metrics=[])
    assert client_as("secretary_a").post(url, form).status_code == 302
    risk_of_board_a.refresh_from_db()
    assert risk_of_board_a.title == "Winter bed and staff capacity"
    assert not RiskMetric.objects.filter(risk=risk_of_board_a).exists()
    response = client_as("admin").post(url, {**form, "owner_board": board_b.pk})
    assert response.status_code == 302
    risk_of_board_a.refresh_from_db()
    assert risk_of_board_a.owner_board_id == board_b.pk


# -- every write, refused: 403 and nothing changed -----------------------------------------------


@dataclass(frozen=True)
class RefusedWrite:
    """A write sent by a user who may not make it: ``path`` is formatted with the targets."""

    name: str
    role: str
    method: str
    path: str
    data: dict = field(default_factory=dict)
    api: bool = False


TODAY = dt.date.today().isoformat()
MEMBER = {"person_name": "Someone New", "role": "member", "start_date": TODAY, "reason": "x"}
FORMS = [
    RefusedWrite("membership add", "secretary_b", "post", "/boards/{board}/members/add/", MEMBER),
    RefusedWrite(
        "membership change", "secretary_b", "post", "/boards/{board}/members/{member}/change/"
    ),
    RefusedWrite("membership end", "secretary_b", "post", "/boards/{board}/members/{member}/end/"),
    RefusedWrite("vacancy add", "secretary_b", "post", "/boards/{board}/vacancies/add/", MEMBER),
    RefusedWrite(
        "vacancy fill", "secretary_b", "post", "/boards/{board}/vacancies/{vacancy}/fill/", MEMBER
    ),
    RefusedWrite("risk add", "commissioner", "post", "/boards/risks/add/", {"title": "x"}),
    RefusedWrite("risk change", "secretary_b", "post", "/boards/risks/{risk}/change/"),
    RefusedWrite("risk review", "secretary_b", "post", "/boards/risks/{risk}/review/"),
    RefusedWrite("action add", "secretary_b", "post", "/boards/risks/{risk}/actions/add/"),
    RefusedWrite(
        "action status", "secretary_b", "post", "/boards/risks/{risk}/actions/{action}/status/"
    ),
    RefusedWrite(
        "commitment status", "commissioner", "post", "/boards/commitments/{commitment}/status/"
    ),
    RefusedWrite(
        "priority outcome link",
        "secretary_b",
        "post",
        "/outcomes/priorities/{priority}/outcomes/add/",
    ),
    RefusedWrite(
        "priority metric link",
        "secretary_b",
        "post",
        "/outcomes/priorities/{priority}/metrics/add/",
    ),
    RefusedWrite(
        "priority outcome unlink",
        "secretary_b",
        "post",
        "/outcomes/priorities/{priority}/outcomes/{outcome_link}/remove/",
        {"reason": "x"},
    ),
    RefusedWrite(
        "priority metric unlink",
        "secretary_b",
        "post",
        "/outcomes/priorities/{priority}/metrics/{metric_link}/remove/",
        {"reason": "x"},
    ),
]
API = [
    RefusedWrite(
        "api membership create",
        "secretary_b",
        "post",
        "/api/v1/memberships/",
        {"board": BOARD_A, **MEMBER},
        api=True,
    ),
    RefusedWrite(
        "api membership create by an analyst",
        "analyst",
        "post",
        "/api/v1/memberships/",
        {"board": BOARD_A, **MEMBER},
        api=True,
    ),
    RefusedWrite(
        "api membership change",
        "secretary_b",
        "patch",
        "/api/v1/memberships/{member}/",
        {"label": "x"},
        api=True,
    ),
    RefusedWrite(
        "api membership end",
        "secretary_b",
        "post",
        "/api/v1/memberships/{member}/end/",
        {"end_date": TODAY, "end_reason": "resigned"},
        api=True,
    ),
    RefusedWrite(
        "api observations upload",
        "secretary_b",
        "post",
        "/api/v1/observations/bulk/",
        [{"metric": "x", "subject_type": "system", "subject": "x", "period": "2024-01"}],
        api=True,
    ),
]


@pytest.fixture
def targets(user_as, board_a):  # noqa: F811
    """One of everything a write can name, each editable by board A's secretaries only."""
    admin = user_as("admin")
    member = Membership.objects.filter(board=board_a).first()
    vacancy = vacancy_record(actor=admin, board=board_a, start_date=dt.date(2025, 1, 1))
    risk = risks.risk_create(
        actor=admin, system=board_a.system, title="Refused", owner_board=board_a, reason="x"
    )
    action = risks.action_create(actor=admin, risk=risk, description="Do it")
    commitment = Commitment.objects.first()
    priority = Priority.objects.filter(place=board_a.place).first()
    outcome_link = outcome_services.priority_outcome_create(
        actor=admin,
        priority=priority,
        outcome=Outcome.objects.filter(system=board_a.system).first(),
        reason="x",
    )
    series = SeriesFactory(place=board_a.place)
    metric_link = outcome_services.priority_metric_create(
        actor=admin, priority=priority, metric=series.metric, reason="x"
    )
    return {
        "board": board_a.slug,
        "member": member.pk,
        "vacancy": vacancy.pk,
        "risk": risk.key,
        "action": action.pk,
        "commitment": commitment.key,
        "priority": priority.key,
        "outcome_link": outcome_link.pk,
        "metric_link": metric_link.pk,
    }


@pytest.mark.parametrize("write", FORMS + API, ids=lambda w: w.name)
def test_a_refused_write_is_403_and_changes_nothing(
    write,
    targets,
    client_as,  # noqa: F811
    api_as,  # noqa: F811
):
    client = api_as(write.role) if write.api else client_as(write.role)
    member = Membership.objects.get(pk=targets["member"])
    tag = f'"{member.pk}.{member.version}"'
    before, member_values = table_counts(), row_values(member)
    send = getattr(client, write.method)
    path = write.path.format(**targets)
    if write.api:
        response = send(path, write.data, format="json", HTTP_IF_MATCH=tag)
    else:
        response = send(path, write.data)
    assert response.status_code == 403, response.content[:300]
    assert table_counts() == before
    assert row_values(member) == member_values
