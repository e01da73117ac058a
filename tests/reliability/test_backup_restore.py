"""Backups: dump, restore into a fresh database, check migrations, row counts and pages."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from icsportal.management.commands import _backup
from metrics.models import Observation
from tests.backends import postgresql_only

# The command refuses other databases.
pytestmark = postgresql_only("backups are pg_dump and pg_restore of PostgreSQL")


@pytest.fixture
def loaded(transactional_db):
    # pg_dump reads what is committed: the transactional database starts empty.
    call_command("load_cw_ics", verbosity=0)
    call_command("generate_synthetic", verbosity=0)
    call_command("recompute_snapshots", verbosity=0)


def test_backup_check_restores_every_row_and_the_pages_render(loaded, capsys):
    call_command("backup_check")
    out = capsys.readouterr().out
    assert "migrations applied" in out
    assert "/healthz, /, /metrics/ answered 200" in out
    assert "Backup check passed" in out
    scratch = connection.settings_dict["NAME"] + "_restore_check"
    assert not _backup.database_exists(scratch), "the scratch database is dropped"


def test_a_restore_that_lost_rows_fails_its_check(loaded, tmp_path, capsys):
    archive = tmp_path / "portal.dump"
    call_command("backup_database", "--output", str(archive))
    assert "tables" in capsys.readouterr().out
    manifest_file = _backup.manifest_path(archive)
    manifest = json.loads(manifest_file.read_text())
    assert manifest["tables"]["metrics_observation"] == Observation.objects.count() > 0

    target = connection.settings_dict["NAME"] + "_restore_test"
    # The manifest says one more observation than the archive holds: as if rows were lost.
    manifest["tables"]["metrics_observation"] += 1
    manifest_file.write_text(json.dumps(manifest))
    try:
        with pytest.raises(CommandError, match="metrics_observation has .* rows, the backup"):
            call_command("restore_database", str(archive), "--database", target)
        # The database exists now: a second restore must be told to replace it.
        with pytest.raises(CommandError, match="exists; give --replace"):
            call_command("restore_database", str(archive), "--database", target)
    finally:
        _backup.drop(target)
    with pytest.raises(CommandError, match="not the one the portal is using"):
        call_command(
            "restore_database", str(archive), "--database", connection.settings_dict["NAME"]
        )
