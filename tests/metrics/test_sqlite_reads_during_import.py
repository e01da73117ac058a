"""Under `make run` (SQLite, no broker) an import runs in a thread of the web process; pages
stay readable while it writes (write-ahead-log mode, ``icsportal.settings``)."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("sqlite_read_during_import.py")


def test_a_page_read_while_an_in_process_import_writes_answers_at_once(tmp_path):
    # A process of its own: the suite's database may be PostgreSQL, and the settings under
    # test are the ones `make run` uses.
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "portal.sqlite3")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["journal_mode"] == "wal"
    assert report["written"], "the import never reached its write"
    # Read while the import held its written rows uncommitted: the page answers, without
    # waiting for the writer (the busy timeout is 20 s), and sees the last committed state.
    assert report["page_status"] == 200
    assert report["page_seconds"] < 10
    assert report["observations_seen_during"] == 0
    assert report["job_status"] == "succeeded"
    assert report["job_created"] == report["observations_after"] == 60_000
