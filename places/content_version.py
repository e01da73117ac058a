"""The content version: a token the database changes whenever a page's content changes.

Pages cache their rendered sections under it. Every write to a table of the places, governance,
metrics and assurance apps — a form, a service, ``QuerySet.update()``, ``bulk_create``, a
fixture, raw SQL, COPY or TRUNCATE — changes it, by a trigger the database itself runs, so no
write can leave a cached page behind. The tables whose changes reach pages only through the
published snapshots (observations and their history, series and which carry which, snapshots,
summaries, imports and the recompute outbox), and those no page shows (role grants, history
tables), are left out.

The token is random, not a count: a transaction that is rolled back, a restored backup or a
flushed test database can never bring back a token that earlier cached pages were stored under.
Every statement that writes changes it (a statement-level trigger on PostgreSQL, so a COPY of
many rows changes it once), so a page read between two writes of one transaction is never cached
under the token of the end of that transaction. From a transaction's first write the row is
locked until the transaction ends, so other writers of page content wait for it, as they would
for any row both change. Readers see a new token only with the data it stands for: they read it
in the same statement as the page's first rows.
"""

from django.db.models import Subquery

from .models import ContentVersion

EXCLUDED = frozenset(
    {
        "metrics.observation",
        "metrics.observationchange",
        "metrics.series",
        "metrics.seriescarry",
        "metrics.snapshot",
        "metrics.seriessummary",
        "metrics.importbatch",
        "metrics.scoperecompute",
        "places.contentversion",
        "governance.rolegrant",
        "governance.rolegrant_boards",
        # A user's own notices and calendar keys: on no shared page.
        "governance.notification",
        "governance.calendartoken",
    }
)

TRIGGER = "portal_content_changed"
FUNCTION = "portal_content_changed"
# The apps whose tables carry the trigger. A migration that creates a table in one of them
# installs the trigger on it (``install``); an app missing from a migration's state (assurance,
# before its tables moved there) is skipped, its tables then still belonging to the others.
APPS = ("places", "governance", "metrics", "assurance")

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO places_contentversion (id, value)
    VALUES (1, floor(random() * 9.2e18)::bigint)
    ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value;
    RETURN NULL;
END
$$;
"""
_SQLITE_BODY = (
    "INSERT INTO places_contentversion (id, value) VALUES (1, abs(random()))"
    " ON CONFLICT (id) DO UPDATE SET value = excluded.value;"
)


def content_tables(apps) -> list[str]:
    """The database tables whose writes raise the content version, from ``apps`` (the
    migration state or the running registry)."""
    tables = []
    for label in APPS:
        if label not in {config.label for config in apps.get_app_configs()}:
            continue
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            meta = model._meta
            if meta.label_lower in EXCLUDED or meta.model_name.startswith("historical"):
                continue
            if not meta.managed or meta.proxy:
                continue
            tables.append(meta.db_table)
    return sorted(set(tables))


def install(schema_editor, tables: list[str]) -> None:
    """Create the trigger on ``tables`` (idempotent)."""
    vendor = schema_editor.connection.vendor
    quote = schema_editor.quote_name
    if vendor == "postgresql":
        schema_editor.execute(_PG_FUNCTION)
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(table)}")
            schema_editor.execute(
                f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
                f" ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
            )
    elif vendor == "sqlite":
        for table in tables:
            for event in ("INSERT", "UPDATE", "DELETE"):
                name = quote(f"{TRIGGER}_{event.lower()}_{table}")
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
                schema_editor.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {quote(table)}"
                    f" BEGIN {_SQLITE_BODY} END"
                )


def reinstall_for(*labels: str):
    """A migration operation's function that puts the trigger back on the tables of the apps
    ``labels``: on SQLite, altering a table rebuilds it and drops its triggers, so a migration
    that alters a table of page content ends with this (idempotent on both databases)."""

    def reinstall(apps, schema_editor) -> None:
        prefixes = tuple(f"{label}_" for label in labels)
        install(schema_editor, [t for t in content_tables(apps) if t.startswith(prefixes)])

    return reinstall


def uninstall(schema_editor, tables: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    quote = schema_editor.quote_name
    if vendor == "postgresql":
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(table)}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    elif vendor == "sqlite":
        for table in tables:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(
                    f"DROP TRIGGER IF EXISTS {quote(f'{TRIGGER}_{event}_{table}')}"
                )


def version_subquery() -> Subquery:
    """The content version as an expression, to read in a page's own first query."""
    return Subquery(ContentVersion.objects.filter(pk=1).values("value")[:1])


def current_version() -> int:
    return ContentVersion.objects.filter(pk=1).values_list("value", flat=True).first() or 0
