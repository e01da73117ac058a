"""The observation table's references, checked by the database once per statement.

An observation points to its series and, when documented, to its source document. Ordinary
foreign keys check each new row on its own at commit: five to six microseconds a row, the
largest single cost of a million-row upload. These triggers check a statement's new rows
together (PostgreSQL's transition tables: one join of the distinct series a statement wrote)
and lock the series and documents they point to (``FOR KEY SHARE``, as a foreign key does)
so that a concurrent delete waits; deleting a series or a document that observations still
point to is refused, as before. The checks run at the end of each statement rather than at
commit: every writer creates a series before its observations, and Django deletes an
observation before its series.

SQLite (the development default) checks each new or changed row with ordinary triggers;
deletes there are left to Django's ``on_delete``, as SQLite's flush between tests deletes
tables in any order with its own key checks switched off, which a trigger cannot see.
"""

POSTGRES = [
    # New observations: every series and document they point to exists, and stays.
    """
CREATE OR REPLACE FUNCTION metrics_observation_keys_exist() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    missing bigint;
BEGIN
    PERFORM 1 FROM metrics_series s
    WHERE s.id IN (SELECT DISTINCT n.series_id FROM new_rows n) FOR KEY SHARE OF s;
    SELECT n.series_id INTO missing FROM new_rows n
    WHERE NOT EXISTS (SELECT 1 FROM metrics_series s WHERE s.id = n.series_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'an observation points to a series that does not exist'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (series_id)=(%s) is not in metrics_series.', missing);
    END IF;
    PERFORM 1 FROM places_document d
    WHERE d.id IN (SELECT DISTINCT n.source_document_id FROM new_rows n
                   WHERE n.source_document_id IS NOT NULL) FOR KEY SHARE OF d;
    SELECT n.source_document_id INTO missing FROM new_rows n
    WHERE n.source_document_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM places_document d WHERE d.id = n.source_document_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'an observation points to a document that does not exist'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('No document has the id %s.', missing);
    END IF;
    RETURN NULL;
END
$$;
""",
    "CREATE TRIGGER observation_keys_on_insert AFTER INSERT ON metrics_observation"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION metrics_observation_keys_exist()",
    # An update that moves an observation to another series or document (rare: the upsert
    # keeps the series and clears the document) is checked row by row, only then.
    """
CREATE OR REPLACE FUNCTION metrics_observation_key_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM metrics_series s WHERE s.id = NEW.series_id FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'an observation points to a series that does not exist'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (series_id)=(%s) is not in metrics_series.', NEW.series_id);
    END IF;
    IF NEW.source_document_id IS NOT NULL THEN
        PERFORM 1 FROM places_document d WHERE d.id = NEW.source_document_id FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'an observation points to a document that does not exist'
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('No document has the id %s.', NEW.source_document_id);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
""",
    "CREATE TRIGGER observation_key_on_update AFTER UPDATE ON metrics_observation FOR EACH ROW"
    " WHEN (NEW.series_id IS DISTINCT FROM OLD.series_id"
    " OR NEW.source_document_id IS DISTINCT FROM OLD.source_document_id)"
    " EXECUTE FUNCTION metrics_observation_key_changed()",
    # A series or a document that observations point to cannot be deleted, or renumbered.
    """
CREATE OR REPLACE FUNCTION metrics_observed_series_kept() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kept bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT o.series_id INTO kept FROM metrics_observation o
        WHERE o.series_id IN (SELECT g.id FROM gone g) LIMIT 1;
    ELSE
        SELECT o.series_id INTO kept FROM metrics_observation o
        WHERE o.series_id IN (SELECT g.id FROM gone g EXCEPT SELECT k.id FROM kept_rows k)
        LIMIT 1;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION 'observations still point to this series'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (id)=(%s) is in metrics_observation.', kept);
    END IF;
    RETURN NULL;
END
$$;
""",
    "CREATE TRIGGER observed_series_kept_on_delete AFTER DELETE ON metrics_series"
    " REFERENCING OLD TABLE AS gone FOR EACH STATEMENT"
    " EXECUTE FUNCTION metrics_observed_series_kept()",
    "CREATE TRIGGER observed_series_kept_on_update AFTER UPDATE ON metrics_series"
    " REFERENCING OLD TABLE AS gone NEW TABLE AS kept_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION metrics_observed_series_kept()",
    """
CREATE OR REPLACE FUNCTION metrics_observed_document_kept() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kept bigint;
BEGIN
    SELECT o.source_document_id INTO kept FROM metrics_observation o
    WHERE o.source_document_id IN (SELECT g.id FROM gone g) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'observations still point to this document'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (id)=(%s) is in metrics_observation.', kept);
    END IF;
    RETURN NULL;
END
$$;
""",
    "CREATE TRIGGER observed_document_kept_on_delete AFTER DELETE ON places_document"
    " REFERENCING OLD TABLE AS gone FOR EACH STATEMENT"
    " EXECUTE FUNCTION metrics_observed_document_kept()",
]

POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS observation_keys_on_insert ON metrics_observation",
    "DROP TRIGGER IF EXISTS observation_key_on_update ON metrics_observation",
    "DROP TRIGGER IF EXISTS observed_series_kept_on_delete ON metrics_series",
    "DROP TRIGGER IF EXISTS observed_series_kept_on_update ON metrics_series",
    "DROP TRIGGER IF EXISTS observed_document_kept_on_delete ON places_document",
    "DROP FUNCTION IF EXISTS metrics_observation_keys_exist()",
    "DROP FUNCTION IF EXISTS metrics_observation_key_changed()",
    "DROP FUNCTION IF EXISTS metrics_observed_series_kept()",
    "DROP FUNCTION IF EXISTS metrics_observed_document_kept()",
]

_SERIES_MISSING = "NOT EXISTS (SELECT 1 FROM metrics_series WHERE id = NEW.series_id)"
_DOCUMENT_MISSING = (
    "NEW.source_document_id IS NOT NULL AND NOT EXISTS"
    " (SELECT 1 FROM places_document WHERE id = NEW.source_document_id)"
)
_ABORT = "BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed'); END"

SQLITE = [
    f"CREATE TRIGGER observation_series_on_insert BEFORE INSERT ON metrics_observation"
    f" WHEN {_SERIES_MISSING} {_ABORT}",
    f"CREATE TRIGGER observation_document_on_insert BEFORE INSERT ON metrics_observation"
    f" WHEN {_DOCUMENT_MISSING} {_ABORT}",
    f"CREATE TRIGGER observation_series_on_update BEFORE UPDATE OF series_id"
    f" ON metrics_observation WHEN {_SERIES_MISSING} {_ABORT}",
    f"CREATE TRIGGER observation_document_on_update BEFORE UPDATE OF source_document_id"
    f" ON metrics_observation WHEN {_DOCUMENT_MISSING} {_ABORT}",
]

SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "observation_series_on_insert",
        "observation_document_on_insert",
        "observation_series_on_update",
        "observation_document_on_update",
        "observed_series_on_delete",
        "observed_series_on_update",
        "observed_document_on_delete",
    )
]


def install(apps, schema_editor) -> None:
    statements = {"postgresql": POSTGRES, "sqlite": SQLITE}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


def reinstall(apps, schema_editor) -> None:
    """Put SQLite's key triggers back after a migration that rebuilt their tables (SQLite drops
    a table's triggers when Django rebuilds it to alter it); PostgreSQL keeps them."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in [*SQLITE_REVERSE, *SQLITE]:
            schema_editor.execute(statement, params=None)


def unreinstall(apps, schema_editor) -> None:
    """``reinstall`` undone: SQLite's key triggers dropped, so that the earlier migrations can
    rebuild the tables they name (PostgreSQL's stay, as ``reinstall`` left them)."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor) -> None:
    statements = {"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement, params=None)
