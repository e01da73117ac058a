"""Migrating a database of one system to keys per system: every row finds its system, each
metric's use is recorded with its owner, and existing grants keep what they could see."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from governance.models import Person, RoleGrant
from metrics.models import Metric, MetricStatement, SystemMetric
from places.models import Document, Priority, System

BEFORE = [
    ("assurance", "0003_agenda_item_links_content_version"),
    ("metrics", "0008_triggers_after_rebuilds"),
    ("governance", "0009_triggers_after_rebuilds"),
    ("places", "0007_triggers_after_rebuilds"),
]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _old_grants(apps) -> dict[str, int]:
    User = get_user_model()
    RoleGrant = apps.get_model("governance", "RoleGrant")
    Board = apps.get_model("governance", "Board")
    ids = {}
    for name, role in (
        ("mg-admin", "admin"),
        ("mg-sec", "board_secretary"),
        ("mg-com", "commissioner"),
    ):
        user = User.objects.create(username=name)
        grant = RoleGrant.objects.create(user_id=user.pk, role=role)
        if role == "board_secretary":
            grant.boards.add(Board.objects.get(key="board_peg"))
        ids[name] = user.pk
    return ids


@pytest.mark.django_db(transaction=True)
def test_one_systems_rows_and_grants_migrate_to_their_system():
    # An earlier transactional test may have emptied the database.
    if not System.objects.exists():
        call_command("load_cw_ics", verbosity=0)
    executor = _migrate(BEFORE)
    ids = _old_grants(executor.loader.project_state(BEFORE).apps)

    _migrate(executor.loader.graph.leaf_nodes())

    cw = System.objects.get(slug="coventry-and-warwickshire")
    assert not Document.objects.exclude(system=cw).exists()
    assert not Person.objects.exclude(system=cw).exists()
    assert not Priority.objects.exclude(system=cw).exists()
    assert not MetricStatement.objects.exclude(system=cw).exists()
    nea = Metric.objects.get(code="bcf-nea")
    use = SystemMetric.objects.get(metric=nea)
    assert (use.system, use.owner_board) == (cw, nea.owner_board)
    assert use.source_document == nea.source_document
    assert RoleGrant.objects.get(user_id=ids["mg-admin"]).all_systems
    secretary = RoleGrant.objects.get(user_id=ids["mg-sec"])
    assert not secretary.all_systems and list(secretary.systems.all()) == [cw]
    commissioner = RoleGrant.objects.get(user_id=ids["mg-com"])
    assert set(commissioner.systems.all()) == set(System.objects.all())
