"""Dump, restore and verify the PostgreSQL database with pg_dump and pg_restore.

A backup is a pg_dump archive (custom format) and a manifest beside it (``<archive>.json``)
with every table's row count, counted in the very snapshot the dump was taken from, so a
restore can prove it holds every row. Passwords reach the PostgreSQL tools in the
environment (PGPASSWORD), never on a command line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg2
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

MANIFEST_SUFFIX = ".json"


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise CommandError("Backups need PostgreSQL (DATABASE_URL=postgres://...).")


def pg_env(database: str | None = None) -> dict[str, str]:
    """The environment for pg_dump, pg_restore, createdb and dropdb: the portal's server."""
    s = connection.settings_dict
    env = {
        **os.environ,
        "PGHOST": s["HOST"] or "127.0.0.1",
        "PGPORT": str(s["PORT"] or 5432),
        "PGUSER": s["USER"] or "postgres",
        "PGDATABASE": database or s["NAME"],
        "PGCONNECT_TIMEOUT": "5",
    }
    if s["PASSWORD"]:
        env["PGPASSWORD"] = s["PASSWORD"]
    return env


def run(command: list[str], *, env: dict[str, str], what: str) -> str:
    """Run a PostgreSQL tool; CommandError with its message if it fails."""
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise CommandError(f"{what} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def manifest_path(archive: Path) -> Path:
    return archive.with_name(archive.name + MANIFEST_SUFFIX)


def _table_counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [r[0] for r in cursor.fetchall()]
    counts = {}
    for table in tables:
        # Table names come from the catalogue, quoted as identifiers.
        cursor.execute(f'SELECT COUNT(*) FROM "{table.replace(chr(34), chr(34) * 2)}"')  # noqa: S608  # nosec B608
        counts[table] = cursor.fetchone()[0]
    return counts


def dump(archive: Path) -> dict:
    """Dump the database to ``archive`` and write its manifest; return the manifest."""
    require_postgresql()
    archive.parent.mkdir(parents=True, exist_ok=True)
    # One repeatable-read transaction exports its snapshot to pg_dump and counts the rows in
    # it: the manifest and the dump see exactly the same data, whatever is written meanwhile.
    conn = psycopg2.connect(**connection.get_connection_params())
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _table_counts(cursor)
            run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={archive}",
                ],
                env=pg_env(),
                what="pg_dump",
            )
    finally:
        conn.close()
    manifest = {
        "database": connection.settings_dict["NAME"],
        "created_at": timezone.now().isoformat(),
        "tables": counts,
    }
    manifest_path(archive).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def database_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def restore(archive: Path, *, database: str, replace: bool = False) -> None:
    """Create ``database`` afresh and restore the archive into it."""
    require_postgresql()
    if database == connection.settings_dict["NAME"]:
        raise CommandError("Restore into a new database, not the one the portal is using.")
    if database_exists(database):
        if not replace:
            raise CommandError(f"The database {database!r} exists; give --replace to drop it.")
        run(["dropdb", "--if-exists", database], env=pg_env("postgres"), what="dropdb")
    run(["createdb", database], env=pg_env("postgres"), what="createdb")
    run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={database}",
            str(archive),
        ],
        env=pg_env(database),
        what="pg_restore",
    )


def drop(database: str) -> None:
    run(["dropdb", "--if-exists", database], env=pg_env("postgres"), what="dropdb")


def database_url(database: str) -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "postgres", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{database}"


def verify(archive: Path, *, database: str) -> str:
    """Run verify_restore against ``database`` in a fresh process; its report, or CommandError."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(database),
        "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
    }
    done = subprocess.run(
        [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "verify_restore",
            str(manifest_path(archive)),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise CommandError(
            f"The restored database {database!r} failed its checks: "
            + (done.stderr.strip() or done.stdout.strip())
        )
    return done.stdout.strip()
