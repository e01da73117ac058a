"""Moving the risk register, the priority links and the finance into ``assurance`` copies no row:
a database at the migrations before the move keeps every row, history row and content type,
now under the new app."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from assurance.models import (
    Commitment,
    FinanceFigure,
    PriorityOutcome,
    Risk,
)

BEFORE = [
    ("assurance", None),
    ("governance", "0003_risks_and_commitments"),
    ("places", "0004_content_version"),
]
MOVED = [
    ("governance", "risk"),
    ("governance", "historicalrisk"),
    ("governance", "commitment"),
    ("places", "priorityoutcome"),
    ("places", "financefigure"),
]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _old_rows(apps) -> dict[str, int]:
    """Rows made with the models as they were before the move: a risk with history, a
    commitment, a priority link and a finance figure."""
    system = apps.get_model("places", "System").objects.create(key="mv", slug="mv", name="Moved")
    place = apps.get_model("places", "Place").objects.create(
        key="mv-place", system=system, slug="mv-place", name="Moved Place"
    )
    priority = apps.get_model("places", "Priority").objects.create(
        key="mv-priority", place=place, title="Frailty", status="current"
    )
    outcome = apps.get_model("places", "Outcome").objects.create(
        key="mv-outcome", system=system, code="healthy_people", number=1, title="Healthy"
    )
    risk = apps.get_model("governance", "Risk").objects.create(
        key="mv-risk", system=system, title="Workforce", status="identified"
    )
    apps.get_model("governance", "HistoricalRisk").objects.create(
        id=risk.pk,
        key=risk.key,
        system_id=system.pk,
        title=risk.title,
        status=risk.status,
        created_at=risk.created_at,
        modified_at=risk.modified_at,
        history_date=risk.modified_at,
        history_type="+",
        history_change_reason="Loaded",
        also_sources=[],
    )
    commitment = apps.get_model("governance", "Commitment").objects.create(
        key="mv-commitment", system=system, programme="Cancer", programme_slug="cancer", text="Do"
    )
    link = apps.get_model("places", "PriorityOutcome").objects.create(
        priority=priority, outcome=outcome, basis="person", reason="Serves it"
    )
    figure = apps.get_model("places", "FinanceFigure").objects.create(
        key="mv-figure", system=system, kind="efficiency_requirement", label="Efficiency"
    )
    return {"risk": risk.pk, "commitment": commitment.pk, "link": link.pk, "figure": figure.pk}


@pytest.mark.django_db(transaction=True)
def test_moved_rows_history_and_content_types_survive_the_move():
    executor = _migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE[1:]).apps
    old_types = {
        (label, model): ContentType.objects.get_or_create(app_label=label, model=model)[0].pk
        for label, model in MOVED
    }
    ids = _old_rows(old_apps)

    _migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    risk = Risk.objects.get(pk=ids["risk"])
    assert (risk.key, risk.title) == ("mv-risk", "Workforce")
    [record] = risk.history.all()
    assert (record.history_type, record.history_change_reason) == ("+", "Loaded")
    assert Commitment.objects.get(pk=ids["commitment"]).programme == "Cancer"
    assert PriorityOutcome.objects.get(pk=ids["link"]).reason == "Serves it"
    assert FinanceFigure.objects.get(pk=ids["figure"]).label == "Efficiency"
    for (label, model), pk in old_types.items():
        moved = ContentType.objects.get(pk=pk)
        assert (moved.app_label, moved.model) == ("assurance", model), (label, model)
        assert not ContentType.objects.filter(app_label=label, model=model).exists()
    assert ContentType.objects.get_for_model(Risk).pk == old_types["governance", "risk"]
